"""emberaudio: audio io, datasets, transforms and models for ember."""

__version__ = "0.1.0"
