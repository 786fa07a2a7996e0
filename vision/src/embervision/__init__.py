"""embervision: image io, transforms, datasets and models for ember."""

__version__ = "0.1.0"
