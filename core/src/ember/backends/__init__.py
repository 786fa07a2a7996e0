"""ember.backends: per-backend flags (`backends.cudnn.benchmark`, `backends.mps.is_available()`) and,
as they arrive, device-specific fast paths chosen by the ops."""

from . import cpu, cudnn, mps

__all__ = ["cpu", "cudnn", "mps"]
