"""repr(tensor) in torch's format: `tensor([1.0000, 2.5000], requires_grad=True)`."""

from __future__ import annotations

import numpy as np

from . import _dtype

LINEWIDTH = 80
THRESHOLD = 1000
EDGEITEMS = 3
PRECISION = 4


class _Formatter:
    """Chooses int / fixed / scientific mode for all elements at once, as torch's _Formatter."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if values.dtype == np.bool_:
            self.width = max((len(str(bool(v))) for v in values.ravel()), default=1)
            return
        if not self.floating:
            self.width = max((len(str(int(v))) for v in values.ravel()), default=1)
            return
        finite = values[np.isfinite(values)].astype(np.float64)
        if finite.size == 0:
            self.width = max((len(self._special(v)) for v in values.ravel()), default=1)
            return
        nonzero = np.abs(finite[finite != 0])
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            if nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1e8):
                self.sci_mode = True
                self.int_mode = False
        elif nonzero.size:
            lo, hi = nonzero.min(), nonzero.max()
            if hi / lo > 1000.0 or hi > 1e8 or lo < 1e-4:
                self.sci_mode = True
        self.width = max(len(self.format(v)) for v in values.ravel())

    @staticmethod
    def _special(v) -> str:
        if np.isnan(v):
            return "nan"
        return "inf" if v > 0 else "-inf"

    def format(self, v) -> str:
        if not self.floating:
            return str(bool(v)) if isinstance(v, (bool, np.bool_)) else str(int(v))
        v = float(v)
        if not np.isfinite(v):
            return self._special(v)
        if self.int_mode:
            return f"{v:.0f}."
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        return f"{v:.{PRECISION}f}"

    def pad(self, v) -> str:
        return self.format(v).rjust(self.width)


def _summarize(a: np.ndarray) -> np.ndarray:
    """The elements shown when summarizing: the first and last EDGEITEMS along each dim."""
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    return np.stack([_summarize(x) for x in a]) if a.ndim > 1 else a


def _format_array(a: np.ndarray, fmt: _Formatter, indent: int, summarize: bool) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        items = [fmt.pad(v) for v in a]
        if summarize and a.shape[0] > 2 * EDGEITEMS:
            items = items[:EDGEITEMS] + ["..."] + items[-EDGEITEMS:]
        per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(a.shape[0]))
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        rows = rows[:EDGEITEMS] + [None] + rows[-EDGEITEMS:]
    parts = [("..." if r is None else _format_array(a[r], fmt, indent + 1, summarize)) for r in rows]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t) -> str:
    a = t._data
    a = a if a.__class__ is np.ndarray else a.get()
    dt = _dtype.from_numpy_dtype(a.dtype)
    if dt is _dtype.bfloat16 or dt is _dtype.float16:
        a = a.astype(np.float32)
    prefix = "tensor("
    suffixes = []
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    if a.size == 0:
        body = "[]"
        if a.shape != (0,):
            suffixes.append(f"size={tuple(a.shape)}")
    else:
        summarize = a.size > THRESHOLD
        shown = _summarize(a) if summarize else a
        fmt = _Formatter(shown)
        body = _format_array(a, fmt, len(prefix), summarize)
    if dt not in (_dtype._default[0], _dtype.int64, _dtype.bool_) or (
            dt is _dtype.float32 and _dtype._default[0] is not _dtype.float32):
        suffixes.append(f"dtype={dt!r}")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffixes) + ")"
