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
    """``n`` Dirichlet(alpha) draws as a float32 (n, len(alpha)) tensor."""
    concentration = ember.tensor([[float(a) for a in alpha]] * n, dtype=ember.float64)
    return ember._sample_dirichlet(concentration).float()


def beta(alpha: float, beta_: float) -> float:
    """One Beta(alpha, beta) draw: X / (X + Y) for gamma draws X ~ Gamma(alpha), Y ~ Gamma(beta)."""
    x, y = ember._standard_gamma(ember.tensor([float(alpha), float(beta_)], dtype=ember.float64)).tolist()
    return x / (x + y)
