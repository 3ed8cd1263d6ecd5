"""Reading a store over the network: every wait has a deadline, every read a size limit.

A store that never answers must cost a build one deadline and one warning,
not minutes: the client waits at most ``timeout`` seconds to connect and
between two pieces of an answer, and does not retry (a store that failed once
is not asked again in that build). A file is read only up to the size its
reader allows, and one byte more to see that it is longer: a plain web server
ignores ranges, so an http read is a stream cut off there.
"""

from __future__ import annotations

import asyncio

from clm.remote.local import TooBig

DEFAULT_TIMEOUT = 10.0  # seconds to connect, and to wait for the next piece of an answer
TIMEOUT_VARIABLE = "CLM_CACHE_TIMEOUT"
CONCURRENT_READS = 128  # as many as fsspec reads at once by default
_HTTP = ("http://", "https://")
# What a web server answers for a file it does not have: a bucket that may not be listed
# (S3's static hosting, say) says 403 where others say 404.
MISSING_STATUSES = (403, 404, 410)


def storage_options(url: str, timeout: float) -> dict:
    """fsspec's options that give ``url``'s client the deadline and no retries."""
    if url.startswith(_HTTP):
        import aiohttp

        deadline = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        return {"client_kwargs": {"timeout": deadline}}
    if url.startswith("s3://"):
        return {
            "config_kwargs": {
                "connect_timeout": timeout,
                "read_timeout": timeout,
                "retries": {"total_max_attempts": 1},
            }
        }
    return {}


def without_retries(fs) -> None:
    """s3fs retries what timed out five times over, past any deadline: once is enough."""
    if "s3" in protocols(fs):
        fs.retries = 1


def read_many(fs, limits: dict[str, int]) -> dict[str, bytes | Exception]:
    """Each path's bytes (at most its limit), or FileNotFoundError or TooBig; any other
    failure (the store's) is raised."""
    if not limits:
        return {}
    if getattr(fs, "async_impl", False):
        from fsspec.asyn import sync

        found = sync(fs.loop, _read_all, fs, limits)
    else:
        found = {path: _read_blocking(fs, path, limit) for path, limit in limits.items()}
    for outcome in found.values():
        if isinstance(outcome, Exception) and not isinstance(outcome, FileNotFoundError | TooBig):
            raise outcome
    return found


async def _read_all(fs, limits: dict[str, int]) -> dict[str, bytes | Exception]:
    gate = asyncio.Semaphore(CONCURRENT_READS)

    async def one(path: str, limit: int) -> bytes | Exception:
        async with gate:
            try:
                return _checked(path, limit, await _read(fs, path, limit))
            except Exception as error:
                return error

    outcomes = await asyncio.gather(*(one(path, limit) for path, limit in limits.items()))
    return dict(zip(limits, outcomes, strict=True))


async def _read(fs, path: str, limit: int) -> bytes:
    if {"http", "https"} & set(protocols(fs)):
        return await _http_read(fs, path, limit)
    try:
        return await fs._cat_file(path, start=0, end=limit + 1)
    except OSError as error:
        # An empty object has no first byte to ask for: its range "is not satisfiable".
        if "range" not in str(error).lower() or (await fs._info(path)).get("size") != 0:
            raise
        return b""


async def _http_read(fs, url: str, limit: int) -> bytes:
    session = await fs.set_session()
    async with session.get(fs.encode_url(url), **fs.kwargs) as response:
        if response.status in MISSING_STATUSES:
            raise FileNotFoundError(url)
        response.raise_for_status()
        data = bytearray()
        while len(data) <= limit:
            piece = await response.content.read(limit + 1 - len(data))
            if not piece:
                break
            data += piece
        return bytes(data)


def find(fs, path: str, detail: bool = False):
    """``fs.find``, raising what it meets on the way: fsspec's walk leaves out what fails,
    a timeout too, so a silent store would look empty. A store that lists in one call of
    its own (s3fs) raises anyway, and takes no ``on_error``."""
    try:
        return fs.find(path, detail=detail, on_error="raise")
    except TypeError:
        return fs.find(path, detail=detail)


def _read_blocking(fs, path: str, limit: int) -> bytes | Exception:
    try:
        return _checked(path, limit, fs.cat_file(path, start=0, end=limit + 1))
    except (FileNotFoundError, TooBig) as error:
        return error


def _checked(path: str, limit: int, data: bytes) -> bytes:
    if len(data) > limit:
        raise TooBig(path, limit)
    return data


def protocols(fs) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def failure(url: str, error: BaseException, timeout: float) -> str:
    """What became of a store that failed, for a message: the deadline it missed, or the
    error, in words."""
    if timed_out(error):
        return (
            f"the shared cache at {url} did not answer within {timeout:g} s "
            f"(set {TIMEOUT_VARIABLE} to wait longer)"
        )
    return f"the shared cache at {url} failed ({type(error).__name__}: {error})".strip()


def timed_out(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a wait that reached its deadline."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TimeoutError) or any(
            "Timeout" in cls.__name__ for cls in type(current).__mro__
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
