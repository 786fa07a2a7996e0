"""Fixtures for emberdata tests: a real HTTP server on 127.0.0.1 with scripted misbehaviour, an isolated cache.

No test here reaches any address outside 127.0.0.0/8.
"""

from __future__ import annotations

import http.server
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest

import emberdata


@dataclass
class Route:
    """What the server does for one path. Request numbers (``n``) count from 1 per path."""

    data: bytes = b""
    status: int = 200  # a non-200 status is answered to every request
    fail_statuses: tuple[int, ...] = ()  # request n <= len answers fail_statuses[n-1], then data
    drop_after: int | None = None  # send only this many body bytes, then close the connection...
    drop_requests: int = 1  # ...on the first drop_requests requests
    redirect: str | None = None
    redirect_code: int = 302
    ignore_range: bool = False  # answer 200 with the whole body even to a Range request
    chunk_delay: float = 0.0  # seconds between 16 KiB chunks (a slow server)
    stall_at: int | None = None  # send this many body bytes, then wait for `release`
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class Server:
    """Routes by path, and a log of every request's headers."""

    def __init__(self, httpd: http.server.ThreadingHTTPServer) -> None:
        self.httpd = httpd
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, data: bytes = b"", **behaviour) -> str:
        self.routes[path] = Route(data=data, **behaviour)
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        """Headers of every request made for ``path``, in order."""
        with self.lock:
            return [headers for p, headers in self.requests if p == path]


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "emberdata-test/1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        state: Server = self.server.state
        with state.lock:
            state.requests.append((self.path, dict(self.headers.items())))
            n = sum(1 for p, _ in state.requests if p == self.path)
        route = state.routes.get(self.path)
        try:
            self._answer(route, n)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _empty(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self, route: Route | None, n: int) -> None:
        if route is None:
            return self._empty(404)
        if n <= len(route.fail_statuses):
            return self._empty(route.fail_statuses[n - 1])
        if route.status != 200:
            return self._empty(route.status)
        if route.redirect:
            return self._empty(route.redirect_code, Location=route.redirect)
        data, start = route.data, 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if match and not route.ignore_range:
            start = int(match[1])
            if start >= len(data):
                return self._empty(416, Content_Range=f"bytes */{len(data)}")
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if route.drop_after is not None and n <= route.drop_requests:
            self.wfile.write(body[: route.drop_after])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)  # the client sees EOF before Content-Length bytes
            return
        if route.stall_at is not None:
            self.wfile.write(body[: route.stall_at])
            self.wfile.flush()
            route.stalled.set()
            route.release.wait(20)
            body = body[route.stall_at :]
        step = 16 * 1024
        for i in range(0, len(body), step):
            self.wfile.write(body[i : i + step])
            if route.chunk_delay:
                self.wfile.flush()
                time.sleep(route.chunk_delay)


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state = Server(httpd)
    httpd.state = state
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    for route in state.routes.values():
        route.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No offline flag, no proxies (so 127.0.0.1 is reached directly), a private EMBER_HOME."""
    monkeypatch.delenv("EMBER_OFFLINE", raising=False)
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "ember-home"))
    emberdata.set_dir(None)
    yield
    emberdata.set_dir(None)


@pytest.fixture
def fast() -> dict:
    """download_url keywords that keep tests quick and quiet."""
    return {"progress": False, "timeout": 5.0, "backoff": 0.01}


@pytest.fixture
def payload() -> bytes:
    """300 KB of deterministic pseudo-random bytes."""
    return random.Random(1234).randbytes(300_000)
