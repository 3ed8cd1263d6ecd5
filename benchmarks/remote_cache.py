"""The shared cache at scale: lookups of a 1,000-deck course, and cold clones built from it.

    python benchmarks/remote_cache.py            # 1,000 decks (a few minutes)
    python benchmarks/remote_cache.py --decks 200

Needs ``clm[shared-cache,s3]`` and moto's server (``moto[server]``, dev).
Two stores: a folder (``file://``) and a real S3 API, moto's server on
127.0.0.1 (slow per request, so its absolute figures overstate a real bucket's;
the ratios are the point).

Table 1, lookups: a store holding one signed execution entry per deck (and
its blob of about 2 KB, as a small deck's outputs are), written the way a
pushing build writes them, with a manifest. A build with an empty local cache
finds them:

* manifest first: the newest manifest (two requests: its pointer, then the
  manifest, which carries the signed entries), then the blobs in concurrent
  batches (``RemoteCache.prefetch``, what a build does before its tasks);
* batched, no manifest: every entry, then every blob, in concurrent batches;
* one key at a time: each entry, then its blob, one lookup after the other,
  as a task's local miss does (``RemoteCache.fetch`` of one key).

Every way checks each entry's signature and each blob's digest.

Table 2, cold clones of the example course (11 executions, 2 diagram
renders): no ``.clm/`` and no output, built with ``clm build`` from the
shared store (file:// and S3), from the exported SQLite file (``clm cache
import`` first, as CI did before), and with no cache at all.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
EXAMPLE = CHECKOUT / "examples" / "python-basics"
SPEC = "course-specs/python-basics.yaml"
sys.path.insert(0, str(CHECKOUT))


class S3:
    """moto's S3 server in a process of its own, with the bucket ``bench``."""

    def __init__(self, log: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.log = log.open("w")
        moto = str(Path(sys.executable).parent / "moto_server")
        self.process = subprocess.Popen(
            [moto, "-H", "127.0.0.1", "-p", str(port)], stdout=self.log, stderr=self.log
        )
        self.env = {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        }
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            assert time.monotonic() < deadline, "moto's server did not start"
            time.sleep(0.1)
        os.environ.update(self.env)
        import boto3

        boto3.client("s3", endpoint_url=self.env["AWS_ENDPOINT_URL"]).create_bucket(Bucket="bench")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.log.close()


class Memory:
    def __init__(self):
        self.data: dict = {}

    def get(self, kind, key):
        return self.data.get((kind, key))

    def put(self, kind, key, data):
        self.data[(kind, key)] = data

    def drop(self, kind, key):
        self.data.pop((kind, key), None)

    def contains(self, kind, key):
        return (kind, key) in self.data


def settings(url: str, keys: Path, push: str | None = None):
    from clm.remote.settings import RemoteSettings

    return RemoteSettings(url, ("ci-main",), push, keys / "clm-cache.key", keys / "clm-cache.pub")


def fill(url: str, keys: Path, decks: int) -> tuple[list[str], float]:
    """One signed entry per deck, as a pushing build writes them; (keys, seconds)."""
    from clm.remote.layered import RemoteCache

    writer = RemoteCache.open(settings(url, keys, push="ci-main"))
    local = Memory()
    names = []
    for n in range(decks):
        key = f"{n:064x}"
        outputs = [[[{"output_type": "stream", "name": "stdout", "text": f"deck {n} " * 220}], 1]]
        local.put("executions", key, json.dumps(outputs).encode())
        names.append(key)
    began = time.perf_counter()
    pushed = writer.publish({"executions": names}, local, lambda text: None)
    assert pushed == decks, (pushed, writer.take_warnings())
    return names, time.perf_counter() - began


def manifest_first(url: str, keys: Path, decks: int) -> tuple[float, int]:
    from clm.remote.layered import RemoteCache

    began = time.perf_counter()
    reader = RemoteCache.open(settings(url, keys))
    local = Memory()
    copied = reader.prefetch(local)
    return time.perf_counter() - began, copied


def one_per_key(url: str, keys: Path, names: list[str]) -> tuple[float, int]:
    """Each key looked up on its own (entry, check, blob), one after the other."""
    from clm.remote.layered import RemoteCache

    began = time.perf_counter()
    reader = RemoteCache.open(settings(url, keys))
    found = sum(len(reader.fetch([("executions", key)])) for key in names)
    return time.perf_counter() - began, found


def batched(url: str, keys: Path, names: list[str]) -> tuple[float, int]:
    """Every key's entry, then every blob, in concurrent batches, without a manifest."""
    from clm.remote.layered import RemoteCache

    began = time.perf_counter()
    reader = RemoteCache.open(settings(url, keys))
    found = len(reader.fetch([("executions", key) for key in names]))
    return time.perf_counter() - began, found


def clm(root: Path, *args: str, env: dict | None = None) -> float:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "clm", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(CHECKOUT), **(env or {})},
    )
    if done.returncode != 0:
        sys.exit(f"clm {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    if args[0] == "build":
        line = next(line for line in done.stdout.splitlines() if " ran deck code " in line)
        ran = int(line.split()[1])
        if ran and root.name != "ci" and not root.name.startswith("no cache"):
            sys.exit(f"{root.name}: {ran} kernels ran, expected none:\n{line}")
    return time.perf_counter() - began


def clone(scratch: Path, name: str, keys: Path) -> Path:
    root = scratch / name
    ignore = shutil.ignore_patterns("output", ".clm", "__pycache__")
    shutil.copytree(EXAMPLE, root, ignore=ignore)
    shutil.copy(keys / "clm-cache.pub", root / "clm-cache.pub")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decks", type=int, default=1000)
    args = parser.parse_args()
    from clm.remote.signing import keygen

    with tempfile.TemporaryDirectory(prefix="clm-remote-bench-") as folder:
        scratch = Path(folder)
        keys = scratch / "keys"
        keys.mkdir()
        keygen(keys)
        s3 = S3(scratch / "moto.log")
        try:
            stores = {"file://": (scratch / "store").as_uri(), "S3 (moto)": "s3://bench/clm"}
            lookups = []
            for label, url in stores.items():
                names, put = fill(url, keys, args.decks)
                first, copied = manifest_first(url, keys, args.decks)
                each, found = one_per_key(url, keys, names)
                together, found_together = batched(url, keys, names)
                assert copied == found == found_together == args.decks
                lookups.append((label, put, first, together, each))

            ci = clone(scratch, "ci", keys)
            push = {
                "CLM_CACHE_REMOTE": stores["S3 (moto)"].replace("/clm", "/course"),
                "CLM_CACHE_PUSH": "ci-main",
                "CLM_CACHE_KEY": str(keys / "clm-cache.key"),
            }
            clm(ci, "build", SPEC, env=push)
            folder_store = scratch / "course-store"
            clm(ci, "cache", "export", f"{folder_store}/", "--namespace", "ci-main", "--spec", SPEC,
                env={"CLM_CACHE_KEY": str(keys / "clm-cache.key")})  # fmt: skip
            clm(ci, "cache", "export", str(scratch / "cache.sqlite"))
            builds = []
            for rounds in range(2):
                root = clone(scratch, f"remote-file-{rounds}", keys)
                builds.append(("shared store, file://", clm(root, "build", SPEC,
                               env={"CLM_CACHE_REMOTE": folder_store.as_uri()})))  # fmt: skip
                root = clone(scratch, f"remote-s3-{rounds}", keys)
                builds.append(("shared store, S3 (moto)", clm(root, "build", SPEC,
                               env={"CLM_CACHE_REMOTE": push["CLM_CACHE_REMOTE"]})))  # fmt: skip
                root = clone(scratch, f"sqlite-{rounds}", keys)
                imported = clm(root, "cache", "import", str(scratch / "cache.sqlite"))
                built = clm(root, "build", SPEC)
                builds.append(("exported SQLite file (import + build)", imported + built))
                root = clone(scratch, f"no cache-{rounds}", keys)
                builds.append(("no cache (every deck runs)", clm(root, "build", SPEC)))
        finally:
            s3.stop()

    print(f"\nTable 1: {args.decks} execution entries (about 2 KB each), empty local cache\n")
    print(
        "| store | push (one build) | manifest first | batched, no manifest | "
        "one key at a time | one at a time / manifest first |"
    )
    print("|---|---|---|---|---|---|")
    for label, put, first, together, each in lookups:
        print(
            f"| {label} | {put:.2f} s | {first:.2f} s | {together:.2f} s | {each:.2f} s "
            f"| {each / first:.1f}× |"
        )
    print("\nTable 2: cold clones of examples/python-basics (11 executions, 2 renders), 2 rounds\n")
    print("| cache | round 1 | round 2 |")
    print("|---|---|---|")
    by_label: dict[str, list[float]] = {}
    for label, seconds in builds:
        by_label.setdefault(label, []).append(seconds)
    for label, times in by_label.items():
        print(f"| {label} | " + " | ".join(f"{t:.1f} s" for t in times) + " |")


if __name__ == "__main__":
    main()
