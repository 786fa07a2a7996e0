"""ember.Size: the tuple subclass that `Tensor.shape` returns."""

from __future__ import annotations

import math


class Size(tuple):
    def numel(self) -> int:
        return math.prod(self)

    def __repr__(self):
        return f"ember.Size({list(self)})"

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))
