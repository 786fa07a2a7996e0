"""A fixed generator for checks (gradgradcheck's random grad_outputs) that must not move the user's RNG."""

from __future__ import annotations


def fixed_generator():
    from .random import Generator

    return Generator().manual_seed(0)
