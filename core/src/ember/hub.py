"""ember.hub: fetch published weight files into the cache and load them (torch.hub's download API).

Downloads go through emberdata (resume, retries, checksums, locks, offline mode); a core-only
install says which package to add.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

_HASH_IN_NAME = re.compile(r"-([a-f0-9]*)\.")  # resnet18-f37072fd.pth -> f37072fd
_hub_dir = None


def _emberdata():
    try:
        import emberdata
    except ImportError:
        raise ImportError(
            "ember.hub downloads through the emberdata package, which is not installed: "
            "pip install ember-data (from this repository: pip install ./datasets)"
        ) from None
    return emberdata


def get_dir() -> str:
    """The hub folder: set_dir()'s value, else <EMBER_HOME>/hub (EMBER_HOME defaults to ~/.cache/ember)."""
    if _hub_dir is not None:
        return _hub_dir
    try:
        return os.path.join(_emberdata().get_dir(), "hub")
    except ImportError:
        home = os.environ.get("EMBER_HOME") or os.path.join(
            os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache")), "ember")
        return os.path.join(home, "hub")


def set_dir(d) -> None:
    global _hub_dir
    _hub_dir = None if d is None else os.path.expanduser(os.fspath(d))


def download_url_to_file(url: str, dst, hash_prefix: str | None = None, progress: bool = True) -> None:
    """Download `url` to `dst` (atomically; verified against the sha256 `hash_prefix` when given)."""
    dst = os.path.expanduser(os.fspath(dst))
    _emberdata().download_url(url, os.path.dirname(os.path.abspath(dst)), filename=os.path.basename(dst),
                              hash_prefix=hash_prefix, progress=progress)


def load_state_dict_from_url(url: str, model_dir=None, map_location=None, progress: bool = True,
                             check_hash: bool = False, file_name: str | None = None, weights_only: bool = True):
    """Load a checkpoint from the cache, downloading it first if needed (`check_hash`: verify the
    sha256 prefix in names like `resnet18-f37072fd.pth`). Reads torch checkpoints and safetensors."""
    model_dir = os.fspath(model_dir) if model_dir is not None else os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name or os.path.basename(urlparse(url).path)
    cached = os.path.join(model_dir, filename)
    if not os.path.exists(cached):
        prefix = None
        if check_hash:
            m = _HASH_IN_NAME.search(filename)
            prefix = m.group(1) if m else None
        download_url_to_file(url, cached, prefix, progress=progress)
    if filename.endswith(".safetensors"):
        from .safetensors import load_file

        return load_file(cached, device="cpu" if map_location is None else str(map_location))
    from .serialization import load

    return load(cached, map_location=map_location, weights_only=weights_only)
