"""Dataset test fixtures: a 127.0.0.1 HTTP server serving fake raw files, catalog records pointed at it."""

from __future__ import annotations

import hashlib
import http.server
import os
import threading

import pytest

import emberdata
from emberdata.catalog import FileSpec, Record


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass


class Server:
    """Serves files written into ``folder``; ``requests`` counts GETs per file name."""

    def __init__(self, folder: str):
        self.folder = folder
        self.requests: dict[str, int] = {}
        server = self

        class Handler(_Handler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=folder, **kwargs)

            def do_GET(self):
                name = self.path.lstrip("/")
                server.requests[name] = server.requests.get(name, 0) + 1
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def add(self, name: str, data: bytes) -> FileSpec:
        """Serve ``data`` as ``name``; returns the FileSpec (URL + md5) a catalog record needs."""
        with open(os.path.join(self.folder, name), "wb") as f:
            f.write(data)
        return FileSpec(name, (self.base + name,), md5=hashlib.md5(data).hexdigest())

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    s = Server(str(folder))
    yield s
    s.close()


@pytest.fixture
def catalog():
    """register(name, files) points a catalog record at the test server; the real records come back after."""
    saved = {}

    def register(name: str, files):
        original = emberdata.catalog.get(name)
        saved.setdefault(name, original)
        emberdata.catalog.register(
            Record(name=original.name, files=tuple(files), kind=original.kind, aliases=original.aliases),
            overwrite=True,
        )

    yield register
    for record in saved.values():
        emberdata.catalog.register(record, overwrite=True)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "ember_home"))
    monkeypatch.delenv("EMBER_OFFLINE", raising=False)
    emberdata.set_dir(None)
    yield
    emberdata.set_dir(None)
