"""Draws from ember's default generator, so `ember.manual_seed` reproduces every augmentation."""

from __future__ import annotations

import ember


def rand() -> float:
    """A uniform draw in [0, 1)."""
    return float(ember.rand(1).item())


def rand_float32(n: int):
    """``n`` uniform [0, 1) draws as a float32 numpy array (torch.rand(n)), for torchvision's float32 arithmetic."""
    return ember.rand(n).numpy()


def uniform(low: float, high: float) -> float:
    """A uniform draw in [low, high), as torch.empty(1).uniform_(low, high)."""
    return float(ember.empty(1).uniform_(float(low), float(high)).item())


def randint(low: int, high: int) -> int:
    """An integer in [low, high), as torch.randint(low, high, (1,))."""
    return int(ember.randint(int(low), int(high), (1,)).item())


def randperm(n: int) -> list[int]:
    return [int(i) for i in ember.randperm(n).tolist()]


def choice(weights) -> int:
    """An index drawn with probability proportional to ``weights`` (torch.multinomial of one sample)."""
    return int(ember.multinomial(ember.tensor([float(w) for w in weights]), 1).item())


def dirichlet(alpha, n: int):
    """``n`` Dirichlet(alpha) draws as a float32 (n, len(alpha)) tensor (normalized gamma draws)."""
    import numpy as np

    from .._backend import host_generator, wrap

    g = host_generator().standard_gamma(np.asarray(alpha, dtype=np.float64), size=(n, len(alpha)))
    return wrap((g / g.sum(axis=1, keepdims=True)).astype(np.float32))


def beta(alpha: float, beta_: float) -> float:
    """One Beta(alpha, beta) draw."""
    from .._backend import host_generator

    return float(host_generator().beta(alpha, beta_))
