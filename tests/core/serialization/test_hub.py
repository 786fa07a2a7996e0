"""ember.hub against a local HTTP server: caching, hash-prefix checks, torch and safetensors files."""

import hashlib
import http.server
import os
import threading

import pytest

import ember
import ember.hub as hub
import ember.safetensors as st


@pytest.fixture
def server(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(served), **kw)

        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", served, hits
    httpd.shutdown()


def _publish(served, state, stem):
    tmp = served / "tmp.pt"
    ember.save(state, tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:8]
    name = f"{stem}-{digest}.pth"
    os.replace(tmp, served / name)
    return name


def test_load_state_dict_from_url_downloads_once_and_checks_hash(server, tmp_path):
    pytest.importorskip("emberdata")
    url, served, hits = server
    name = _publish(served, {"w": ember.arange(4.0)}, "net")
    model_dir = tmp_path / "cache"
    sd = hub.load_state_dict_from_url(f"{url}/{name}", model_dir=model_dir, check_hash=True, progress=False)
    assert sd["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert (model_dir / name).exists()
    hub.load_state_dict_from_url(f"{url}/{name}", model_dir=model_dir, check_hash=True, progress=False)
    assert hits.count(f"/{name}") == 1


def test_wrong_hash_prefix_is_refused(server, tmp_path):
    pytest.importorskip("emberdata")
    url, served, _ = server
    name = _publish(served, {"w": ember.ones(2)}, "net")
    wrong = name.replace(name.split("-")[1][:8], "00000000")
    os.replace(served / name, served / wrong)
    with pytest.raises(RuntimeError, match="(?i)hash|checksum|sha256"):
        hub.load_state_dict_from_url(f"{url}/{wrong}", model_dir=tmp_path / "c", check_hash=True, progress=False)
    assert not (tmp_path / "c" / wrong).exists()


def test_safetensors_urls_load_with_safetensors(server, tmp_path):
    pytest.importorskip("emberdata")
    url, served, _ = server
    st.save_file({"b": ember.zeros(3)}, served / "m.safetensors")
    sd = hub.load_state_dict_from_url(f"{url}/m.safetensors", model_dir=tmp_path / "c", progress=False)
    assert sd["b"].tolist() == [0.0, 0.0, 0.0]


def test_hub_dir_follows_set_dir(tmp_path):
    hub.set_dir(tmp_path / "h")
    try:
        assert hub.get_dir() == str(tmp_path / "h")
    finally:
        hub.set_dir(None)


def test_core_only_install_names_the_missing_package(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "emberdata", None)  # import emberdata now raises ImportError
    with pytest.raises(ImportError, match="pip install ember-data"):
        hub.download_url_to_file("http://127.0.0.1:9/x.pth", tmp_path / "x.pth")
