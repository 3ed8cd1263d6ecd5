"""The preview's web server as a browser meets it: a real server on this machine,
real connections, no course behind it (nothing is built yet)."""

from __future__ import annotations

import http.client
import selectors
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from clm.serve.news import Newsroom
from clm.serve.server import EVENTS, LIVE_SCRIPT, PreviewServer

HANG_GUARD = 120.0  # seconds; only a server that never answers takes this long
BURST = 200


@contextmanager
def serving(
    host: str = "127.0.0.1", *, accept_when: threading.Event | None = None
) -> Iterator[PreviewServer]:
    """A preview server on ``host``; with ``accept_when``, it only listens (its
    connections wait in the backlog) until that event is set."""
    server = PreviewServer((host, 0), Newsroom())
    go = accept_when or threading.Event()
    if accept_when is None:
        go.set()

    def serve() -> None:
        go.wait()
        server.serve_forever(poll_interval=0.1)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        yield server
    finally:
        go.set()
        server.newsroom.close()
        server.shutdown()
        thread.join(HANG_GUARD)
        server.server_close()


def exchange(server: PreviewServer, request: bytes) -> bytes:
    """Everything the server sends back to ``request`` until it closes the connection."""
    with socket.create_connection(server.server_address[:2], timeout=HANG_GUARD) as client:
        client.sendall(request)
        return read_to_end(client)


def read_to_end(client: socket.socket) -> bytes:
    answer = b""
    while chunk := client.recv(65536):
        answer += chunk
    return answer


def test_every_error_says_what_went_wrong_and_what_to_do_escaped():
    with serving() as server:
        port = server.server_address[1]
        foreign = exchange(server, b"GET / HTTP/1.0\r\nHost: rebound.example\r\n\r\n")
        head, _, page = foreign.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 403 ")
        assert b"Content-Type: text/html; charset=utf-8" in head
        assert b"403 Forbidden" in page and f"http://127.0.0.1:{port}/".encode() in page

        missing = exchange(
            server,
            b"GET /%3Cscript%3Ealert(1)%3C/script%3E.html HTTP/1.0\r\nHost: localhost\r\n\r\n",
        )
        head, _, page = missing.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 404 ")
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;.html" in page and b"<script>" not in page
        assert b"course page" in page

        too_many_headers = b"".join(b"X-%d: 1\r\n" % n for n in range(200))
        for request, status in (
            (b"POST / HTTP/1.0\r\nHost: localhost\r\n\r\n", b"501"),
            (b"GET / HTTP/1.0\r\n" + too_many_headers + b"\r\n", b"431"),
        ):
            head, _, page = exchange(server, request).partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.0 " + status), (request, head)
            assert page.startswith(b"<!DOCTYPE html>") and b"GET" in page, (request, page)


def test_a_head_of_the_event_stream_gets_the_headers_and_the_connection_ends():
    with serving() as server:
        request = f"HEAD {EVENTS}?page=a.html HTTP/1.0\r\nHost: localhost\r\n\r\n".encode()
        with socket.create_connection(server.server_address[:2], timeout=HANG_GUARD) as client:
            client.sendall(request)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += client.recv(65536)
            head, _, body = answer.partition(b"\r\n\r\n")
            # A streaming answer would go on with "retry:" here, and never end.
            body += client.recv(65536)
    assert head.startswith(b"HTTP/1.0 200 ") and b"text/event-stream" in head
    assert body == b""


def test_a_burst_of_connections_waits_in_the_backlog_and_every_one_is_answered():
    accepting = threading.Event()
    with serving(accept_when=accepting) as server:
        # Before the server accepts anything, each connection must find room in the
        # listen backlog: a connection without room has its SYN dropped, and waits
        # for the retries, seconds apart, as a browser's requests did.
        every = [socket.socket() for _ in range(BURST)]
        stream, *clients = every
        try:
            with selectors.DefaultSelector() as pending:
                for client in every:
                    client.setblocking(False)
                    client.connect_ex(server.server_address[:2])
                    pending.register(client, selectors.EVENT_WRITE)
                while pending.get_map():
                    ready = pending.select(HANG_GUARD)
                    assert ready, f"{len(pending.get_map())} of {BURST} never got connected"
                    for key, _ in ready:
                        pending.unregister(key.fileobj)
            for client in every:
                assert client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
            accepting.set()
            # A browser's event stream, first in line, never ends: the others are
            # answered beside it, each on a thread of its own.
            stream.setblocking(True)
            stream.sendall(f"GET {EVENTS} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
            for client in clients:
                client.setblocking(True)
                client.settimeout(HANG_GUARD)
                client.sendall(f"GET {LIVE_SCRIPT} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
            answers = [read_to_end(client) for client in clients]
        finally:
            for client in every:
                client.close()
    assert len(answers) == BURST - 1
    assert all(answer.startswith(b"HTTP/1.0 200 ") for answer in answers)


@pytest.mark.parametrize("host", ["::1", "::"])
def test_an_ipv6_address_is_served_and_written_in_brackets(host):
    with serving(host) as server:
        port = server.server_address[1]
        assert server.url == f"http://[{host}]:{port}/"
        assert server.this_machine_only is (host == "::1")
        connection = http.client.HTTPConnection("::1", port, timeout=HANG_GUARD)
        try:
            connection.request("GET", LIVE_SCRIPT)
            response = connection.getresponse()
            assert response.status == 200 and response.read()
        finally:
            connection.close()
