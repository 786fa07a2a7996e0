"""emberdata: downloading, caching, verifying and extracting datasets and weight files."""

__version__ = "0.1.0"
