"""Fake cupy.random: a NumPy RandomState (seeded from 64 bits) whose draws come back as device arrays."""

from __future__ import annotations

import numpy as _np


class RandomState:
    def __init__(self, seed=None):
        self.seed(seed)

    def seed(self, seed=None):
        s = None if seed is None else [int(seed) & 0xFFFFFFFF, int(seed) >> 32]
        self._rs = _np.random.RandomState(s)

    def __getattr__(self, name):
        from .. import _wrap

        fn = getattr(self._rs, name)

        def draw(*args, dtype=None, **kwargs):
            if name == "random_sample" and dtype is not None:
                res = fn(*args, **kwargs).astype(dtype)
            elif dtype is not None:  # CuPy takes dtype= on every draw, NumPy on few
                try:
                    res = fn(*args, dtype=dtype, **kwargs)
                except TypeError:
                    res = _np.asarray(fn(*args, **kwargs)).astype(dtype)
            else:
                res = fn(*args, **kwargs)
            return _wrap(_np.asarray(res))

        return draw


_global = RandomState()


def seed(s=None):
    _global.seed(s)


def __getattr__(name):
    return getattr(_global, name)
