"""repr(tensor) in torch's exact format: `tensor([1.0000, 2.5000], requires_grad=True)`.

A port of torch/_tensor_str.py: one formatter picks int / fixed / scientific mode for every element
shown, then rows wrap at LINEWIDTH. Tensors over THRESHOLD elements show only EDGEITEMS per side of
every dim; only those elements are ever moved to the host or formatted.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from . import _dtype

# print options (torch.set_printoptions); module globals so the hot path reads them directly
PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE = None

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """torch.set_printoptions: every call also resets sci_mode (None means chosen per tensor), as torch."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth
    SCI_MODE = sci_mode


def get_printoptions() -> dict:
    return {"precision": PRECISION, "threshold": THRESHOLD, "edgeitems": EDGEITEMS, "linewidth": LINEWIDTH,
            "sci_mode": SCI_MODE}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses int / fixed / scientific mode and the column width from the elements shown."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            self.max_width = max((len(str(v)) for v in flat.tolist()), default=1)
            return
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        mags = np.abs(shown.astype(np.float64))
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if SCI_MODE is None else SCI_MODE
        vals = shown.tolist()
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{PRECISION}e}") for v in vals)
        elif self.int_mode:
            self.max_width = max(len(f"{v:.0f}") for v in vals) + 1
        else:
            self.max_width = max(len(f"{v:.{PRECISION}f}") for v in vals)

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                ret = f"{value:.{PRECISION}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRECISION}f}"
        else:
            ret = f"{value}"
        return ret.rjust(self.max_width)


def _edges(a, cut):
    """The first and last EDGEITEMS entries along every cut axis (torch's get_summarized_data)."""
    xp = np if a.__class__ is np.ndarray else _xp(a)
    for axis, is_cut in enumerate(cut):
        if is_cut:
            n = a.shape[axis]
            idx = list(range(EDGEITEMS)) + list(range(n - EDGEITEMS, n))
            a = xp.take(a, xp.asarray(idx, dtype=np.int64), axis=axis)
    return a


def _xp(a):
    from ._device import xp_of

    return xp_of(a)


def _vector_str(row: np.ndarray, is_cut: bool, indent: int, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((LINEWIDTH - indent) / (fmt.max_width + 2)))
    if is_cut and not EDGEITEMS:
        data = ["..."]
    elif is_cut:
        vals = row.tolist()
        data = [fmt.format(v) for v in vals[:EDGEITEMS]] + [" ..."] + [fmt.format(v) for v in vals[EDGEITEMS:]]
    else:
        data = [fmt.format(v) for v in row.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nd_str(a: np.ndarray, cut: tuple, indent: int, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, cut[0], indent, fmt)
    if cut[0]:
        slices = ([_nd_str(a[i], cut[1:], indent + 1, fmt) for i in range(EDGEITEMS)] + ["..."]
                  + [_nd_str(a[i], cut[1:], indent + 1, fmt) for i in range(EDGEITEMS, 2 * EDGEITEMS)])
    else:
        slices = [_nd_str(a[i], cut[1:], indent + 1, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(a, indent: int) -> str:
    """The bracketed body of a non-empty array (numpy or cupy)."""
    summarize = a.size > THRESHOLD
    cut = tuple(summarize and n > 2 * EDGEITEMS for n in a.shape)
    shown = _edges(a, cut) if summarize else a
    if shown.__class__ is not np.ndarray:
        shown = shown.get()
    if shown.dtype == np.float16 or shown.dtype == _dtype.bfloat16.np:
        shown = shown.astype(np.float32)  # exact; formatting then works on python floats as torch's item()
    return _nd_str(shown, cut, indent, _Formatter(shown))


def _add_suffixes(body: str, suffixes: list, indent: int) -> str:
    """Join `, suffix` parts, breaking the line where one would pass LINEWIDTH (as torch)."""
    parts = [body]
    last_line_len = len(body) - body.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    a = t._data
    cls = type(t)
    plain = cls.__name__ in ("Tensor", "Parameter") and cls.__module__.startswith("ember")
    prefix = "tensor(" if plain else f"{cls.__name__}("
    indent = len(prefix)
    suffixes = []
    if a.__class__ is not np.ndarray:
        suffixes.append(f"device='{t.device}'")
    dt = _dtype.from_numpy_dtype(a.dtype)
    default = _dtype.get_default_dtype()
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        if not EDGEITEMS:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt not in (default, _dtype.int64, _dtype.bool_):
            suffixes.append(f"dtype={dt!r}")
        body = _tensor_str(a, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
