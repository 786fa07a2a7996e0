"""embertext: text datasets, tokenizers, transforms and models for ember."""

__version__ = "0.1.0"
