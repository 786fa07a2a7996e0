"""HTTP(S) downloads on urllib: redirects, resume with Range, retries with backoff, mirrors in order,
checksum before the final rename, a per-file cross-process lock, and an offline mode that fails fast.

A download is written to ``<file>.part`` and moved to ``<file>`` with ``os.replace`` only after its
checksum passed, so a file at the final path is always complete; a killed download leaves only the
``.part`` file, which the next call resumes.
"""

from __future__ import annotations

import errno
import http.client
import logging
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence

from ._lock import FileLock
from .extract import extract_archive
from .integrity import checksum_mismatches

__all__ = [
    "ChecksumError",
    "DownloadError",
    "OfflineError",
    "download_and_extract_archive",
    "download_url",
    "is_offline",
]

logger = logging.getLogger("emberdata")
logger.addHandler(logging.NullHandler())

_CHUNK = 1024 * 1024
_USER_AGENT = "ember-data/0.1 (python-urllib)"
_TRUTHY = {"1", "true", "yes", "on"}
_UNREACHABLE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


class DownloadError(RuntimeError):
    """A file could not be downloaded from any of its URLs."""


class ChecksumError(DownloadError):
    """The downloaded bytes do not match the expected checksum; the partial file was deleted."""


class OfflineError(DownloadError):
    """Offline mode (``EMBER_OFFLINE=1``), or no route / DNS failure for every URL: nothing was downloaded."""


def is_offline() -> bool:
    """True when ``EMBER_OFFLINE`` is set to 1/true/yes/on."""
    return os.environ.get("EMBER_OFFLINE", "").strip().lower() in _TRUTHY


# ----------------------------------------------------------------------------------------------------------
# internal control flow for one URL


class _Retry(Exception):
    """Transient failure (5xx, reset, timeout mid-transfer): try the same URL again after a backoff."""


class _Incomplete(_Retry):
    """The connection ended before the whole body arrived; the ``.part`` file keeps what came."""

    def __init__(self, message: str, progressed: bool) -> None:
        super().__init__(message)
        self.progressed = progressed


class _NextMirror(Exception):
    """Permanent failure for this URL (4xx, retries exhausted): go to the next mirror."""


class _Unreachable(_NextMirror):
    """DNS failure, no route to host, or connect timeout: the host cannot be reached at all."""


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows 301/302/303/307 and also 308 (urllib on Python 3.10 does not), keeping the Range header."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return super().redirect_request(req, fp, 307 if code == 308 else code, msg, headers, newurl)

    http_error_308 = urllib.request.HTTPRedirectHandler.http_error_302


def _build_opener(max_redirect_hops: int) -> urllib.request.OpenerDirector:
    handler = _RedirectHandler()
    handler.max_redirections = max_redirect_hops
    return urllib.request.build_opener(handler)


class _NullBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self) -> _NullBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _progress_bar(total: int | None, initial: int, desc: str, enabled: bool):
    """A tqdm bar (bytes, rate, ETA) when enabled, stderr is a terminal and tqdm is installed; else quiet."""
    if not enabled:
        return _NullBar()
    try:
        if sys.stderr is None or not sys.stderr.isatty():
            return _NullBar()
    except (AttributeError, ValueError):
        return _NullBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NullBar()
    return tqdm(total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, leave=False)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """``"bytes 100-199/1000"`` -> (100, 1000); ``"bytes */1000"`` -> (None, 1000); missing parts are None."""
    if not value or not value.strip().lower().startswith("bytes"):
        return None, None
    spec = value.strip()[5:].strip()
    rng, _, total_s = spec.partition("/")
    total = int(total_s) if total_s.strip().isdigit() else None
    start_s = rng.partition("-")[0].strip()
    start = int(start_s) if start_s.isdigit() else None
    return start, total


def _is_unreachable(reason: object) -> bool:
    if isinstance(reason, socket.gaierror):  # DNS failure
        return True
    if isinstance(reason, TimeoutError):  # connect timeout (socket.timeout is TimeoutError)
        return True
    return isinstance(reason, OSError) and reason.errno in _UNREACHABLE_ERRNOS


def _transfer(
    opener: urllib.request.OpenerDirector, url: str, part: str, *, timeout: float, progress: bool, desc: str
) -> bool:
    """One HTTP request appending to (206) or rewriting (200) ``part``; True if it resumed existing bytes."""
    offset = _size(part)
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        code, reason, content_range = e.code, e.reason, e.headers.get("Content-Range") if e.headers else None
        e.close()
        if code == 416 and offset:
            if _parse_content_range(content_range)[1] == offset:
                return True  # the .part file already holds the whole body
            os.remove(part)
            raise _Retry(f"HTTP 416 for a {offset}-byte partial file; restarting from zero") from None
        if code >= 500 or code in (408, 429):
            raise _Retry(f"HTTP {code} {reason}") from None
        raise _NextMirror(f"HTTP {code} {reason}") from None
    except urllib.error.URLError as e:
        if _is_unreachable(e.reason):
            raise _Unreachable(f"cannot reach host ({e.reason})") from None
        raise _Retry(f"connection error ({e.reason})") from None
    except (OSError, http.client.HTTPException) as e:
        raise _Retry(f"connection error ({type(e).__name__}: {e})") from None

    with response:
        length = response.headers.get("Content-Length")
        length = int(length) if length and length.strip().isdigit() else None
        if offset and response.status == 206:
            start, total = _parse_content_range(response.headers.get("Content-Range"))
            if start != offset:
                os.remove(part)
                raise _Retry(f"server resumed at byte {start} instead of {offset}; restarting from zero")
            if total is None and length is not None:
                total = offset + length
            mode, written, resumed = "ab", offset, True
        else:
            if offset:
                logger.info("%s ignored the Range request (HTTP %s); restarting from zero", url, response.status)
            total, mode, written, resumed = length, "wb", 0, False
        with open(part, mode) as f, _progress_bar(total, written, desc, progress) as bar:
            try:
                while chunk := response.read1(_CHUNK):
                    f.write(chunk)
                    written += len(chunk)
                    bar.update(len(chunk))
            except (OSError, http.client.HTTPException) as e:
                raise _Incomplete(
                    f"connection lost after {written} bytes ({type(e).__name__}: {e})", progressed=written > offset
                ) from None
            f.flush()
            os.fsync(f.fileno())
    if total is not None and written < total:
        raise _Incomplete(f"connection closed after {written} of {total} bytes", progressed=written > offset)
    return resumed


def _download_one(
    opener: urllib.request.OpenerDirector,
    url: str,
    part: str,
    *,
    timeout: float,
    max_retries: int,
    backoff: float,
    progress: bool,
    desc: str,
) -> bool:
    """Download ``url`` into ``part``, retrying transient errors; True if any bytes came from a resumed file."""
    failures = 0
    resumed = False
    while True:
        try:
            resumed |= _transfer(opener, url, part, timeout=timeout, progress=progress, desc=desc)
            return resumed
        except _Incomplete as e:
            error: Exception = e
            # a drop after new bytes arrived is not counted: the next request resumes from there
            failures = 0 if e.progressed else failures + 1
        except _Retry as e:
            error = e
            failures += 1
        if failures > max_retries:
            raise _NextMirror(f"{error}; gave up after {max_retries} retries")
        delay = backoff * 2 ** max(failures - 1, 0)
        logger.info("download of %s: %s; retrying in %.2f s", url, error, delay)
        time.sleep(delay)


# ----------------------------------------------------------------------------------------------------------
# public API


def _filename_from_url(url: str) -> str:
    name = os.path.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path))
    if not name:
        raise ValueError(f"cannot infer a file name from url {url!r}; pass filename=")
    return name


def _unique(urls: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))


def _by_hand(filename: str, urls: Sequence[str], fpath: str, md5: str | None, sha256: str | None) -> str:
    where = urls[0] + (f" (mirrors: {', '.join(urls[1:])})" if len(urls) > 1 else "")
    checks = "".join(f", {name} {value}" for name, value in (("md5", md5), ("sha256", sha256)) if value)
    return f"Download {filename} by hand from {where} and place it at {fpath}{checks and ' (' + checks[2:] + ')'}."


def _is_complete(fpath: str, md5: str | None, sha256: str | None, hash_prefix: str | None) -> bool:
    return os.path.isfile(fpath) and not checksum_mismatches(fpath, md5, sha256, hash_prefix)


def download_url(
    url: str,
    root: str | os.PathLike,
    filename: str | None = None,
    md5: str | None = None,
    sha256: str | None = None,
    mirrors: Sequence[str] = (),
    progress: bool = True,
    timeout: float = 30.0,
    *,
    max_redirect_hops: int = 3,
    max_retries: int = 3,
    backoff: float = 0.5,
    hash_prefix: str | None = None,
) -> str:
    """Download ``url`` (else each of ``mirrors`` in order) to ``root/filename`` and return that path.

    Skips the download when the file exists and passes its checksums. ``timeout`` bounds the connect and
    each read (seconds); transient failures are retried ``max_retries`` times, sleeping
    ``backoff * 2**k`` seconds; ``hash_prefix`` checks the start of the sha256 (torch.hub style).
    DNS failures, no route to host and connect timeouts are not retried: the next mirror is tried, and
    when no host can be reached an :class:`OfflineError` says where to put the file by hand.
    """
    root = os.path.expanduser(os.fspath(root))
    filename = filename or _filename_from_url(url)
    fpath = os.path.join(root, filename)
    urls = _unique([url, *mirrors])
    if _is_complete(fpath, md5, sha256, hash_prefix):
        return fpath
    if is_offline():
        raise OfflineError(
            f"{filename} is not in the cache and offline mode is on (EMBER_OFFLINE=1). "
            + _by_hand(filename, urls, fpath, md5, sha256)
        )
    os.makedirs(os.path.dirname(fpath) or ".", exist_ok=True)
    with FileLock(fpath + ".lock"):
        # another process may have finished the file while this one waited for the lock
        if _is_complete(fpath, md5, sha256, hash_prefix):
            return fpath
        _download_locked(
            urls,
            fpath,
            md5=md5,
            sha256=sha256,
            hash_prefix=hash_prefix,
            opener=_build_opener(max_redirect_hops),
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            progress=progress,
        )
    return fpath


def _download_locked(
    urls: list[str],
    fpath: str,
    *,
    md5: str | None,
    sha256: str | None,
    hash_prefix: str | None,
    opener: urllib.request.OpenerDirector,
    timeout: float,
    max_retries: int,
    backoff: float,
    progress: bool,
) -> None:
    filename = os.path.basename(fpath)
    part = fpath + ".part"
    failures: list[str] = []
    bad_checksum = False
    all_unreachable = True
    for url in urls:
        for attempt in (1, 2):  # a second attempt only when a resumed .part file failed the checksum
            try:
                resumed = _download_one(
                    opener,
                    url,
                    part,
                    timeout=timeout,
                    max_retries=max_retries,
                    backoff=backoff,
                    progress=progress,
                    desc=filename,
                )
            except _Unreachable as e:
                failures.append(f"{url}: {e}")
                break
            except _NextMirror as e:
                all_unreachable = False
                failures.append(f"{url}: {e}")
                break
            problems = checksum_mismatches(part, md5, sha256, hash_prefix)
            if not problems:
                os.replace(part, fpath)
                return
            os.remove(part)
            if resumed and attempt == 1:
                logger.warning("%s: resumed partial file failed its checksum; downloading again from zero", filename)
                continue
            all_unreachable = False
            bad_checksum = True
            failures.append(f"{url}: checksum mismatch ({'; '.join(problems)}); the partial file was deleted")
            break
    hint = _by_hand(filename, urls, fpath, md5, sha256)
    detail = "\n  ".join(failures)
    if bad_checksum:
        raise ChecksumError(f"Checksum mismatch for {filename}:\n  {detail}\n{hint}")
    if all_unreachable:
        raise OfflineError(f"Cannot download {filename}: no route to host or DNS failure:\n  {detail}\n{hint}")
    raise DownloadError(f"Cannot download {filename}:\n  {detail}\n{hint}")


def download_and_extract_archive(
    url: str,
    download_root: str | os.PathLike,
    extract_root: str | os.PathLike | None = None,
    filename: str | None = None,
    md5: str | None = None,
    remove_finished: bool = False,
    *,
    sha256: str | None = None,
    mirrors: Sequence[str] = (),
    progress: bool = True,
    timeout: float = 30.0,
    max_retries: int = 3,
    backoff: float = 0.5,
) -> str:
    """Download an archive with :func:`download_url` and extract it into ``extract_root`` (default: download_root).

    Returns what :func:`extract_archive` returns: the folder, or the file for a single compressed file.
    """
    download_root = os.path.expanduser(os.fspath(download_root))
    extract_root = download_root if extract_root is None else os.path.expanduser(os.fspath(extract_root))
    archive = download_url(
        url,
        download_root,
        filename,
        md5,
        sha256=sha256,
        mirrors=mirrors,
        progress=progress,
        timeout=timeout,
        max_retries=max_retries,
        backoff=backoff,
    )
    return extract_archive(archive, extract_root, remove_finished=remove_finished)
