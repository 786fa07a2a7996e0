"""Cache layout: ``EMBER_HOME`` (default ``$XDG_CACHE_HOME/ember`` or ``~/.cache/ember``).

Inside it, ``datasets/`` holds downloaded datasets and ``hub/checkpoints/`` holds weight files.
"""

from __future__ import annotations

import os

__all__ = ["get_dir", "set_dir", "get_datasets_dir", "get_checkpoints_dir"]

# Process-wide override set by set_dir(); like torch.hub's _hub_dir, the only mutable state here.
_home_override: str | None = None


def _default_home() -> str:
    env = os.environ.get("EMBER_HOME")
    if env:
        return os.path.expanduser(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = os.path.expanduser(xdg) if xdg else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ember")


def get_dir() -> str:
    """The ember cache root: the set_dir() override, else ``EMBER_HOME``, else ``$XDG_CACHE_HOME/ember``."""
    return _home_override if _home_override is not None else _default_home()


def set_dir(d: str | os.PathLike[str] | None) -> None:
    """Override the cache root for this process; ``None`` restores the environment-based default."""
    global _home_override
    _home_override = None if d is None else os.path.abspath(os.path.expanduser(os.fspath(d)))


def get_datasets_dir() -> str:
    """Folder for downloaded datasets: ``<cache root>/datasets``."""
    return os.path.join(get_dir(), "datasets")


def get_checkpoints_dir() -> str:
    """Folder for downloaded weight files: ``<cache root>/hub/checkpoints``."""
    return os.path.join(get_dir(), "hub", "checkpoints")
