"""emberdata: downloading, caching, verifying and extracting datasets and weight files.

Standard library only (tqdm, if installed, draws progress bars); never imports ember.
"""

from . import catalog
from ._cache import get_checkpoints_dir, get_datasets_dir, get_dir, set_dir
from ._lock import FileLock
from .download import (
    ChecksumError,
    DownloadError,
    OfflineError,
    download_and_extract_archive,
    download_url,
    is_offline,
)
from .extract import UnsafeArchiveError, extract_archive, is_extracted
from .integrity import calculate_md5, calculate_sha256, check_integrity, check_md5, check_sha256

__version__ = "0.1.0"

__all__ = [
    "ChecksumError",
    "DownloadError",
    "FileLock",
    "OfflineError",
    "UnsafeArchiveError",
    "calculate_md5",
    "calculate_sha256",
    "catalog",
    "check_integrity",
    "check_md5",
    "check_sha256",
    "download_and_extract_archive",
    "download_url",
    "extract_archive",
    "get_checkpoints_dir",
    "get_datasets_dir",
    "get_dir",
    "is_extracted",
    "is_offline",
    "set_dir",
]
