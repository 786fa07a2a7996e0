"""ember.Size: the tuple subclass that `Tensor.shape` returns."""

from __future__ import annotations

import math
import operator

_tuple_new = tuple.__new__


class Size(tuple):
    """A tuple of ints (`ember.Size([2, 3])`); slicing, + and * give Sizes back."""

    def __new__(cls, sizes=()):
        t = _tuple_new(cls, sizes)
        for s in t:
            if s.__class__ is not int:  # np.int64 and 0-d integer tensors count as ints; others are an error
                return _tuple_new(cls, (_as_int(v, j) for j, v in enumerate(t)))
        return t

    def numel(self) -> int:
        return math.prod(self)

    def __repr__(self):
        return f"ember.Size({list(self)})"

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return _tuple_new(Size, r) if isinstance(item, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to ember.Size")
        return _tuple_new(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _tuple_new(Size, tuple.__add__(other, self))

    def __mul__(self, n):
        return _tuple_new(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


def _as_int(v, pos: int) -> int:
    try:
        return operator.index(v)
    except TypeError:
        pass
    raise TypeError(f"ember.Size() takes an iterable of 'int' (item {pos} is '{type(v).__name__}')")
