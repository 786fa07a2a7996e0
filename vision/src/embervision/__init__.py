"""embervision: image io, transforms, datasets and utilities for ember (torchvision's API).

`import embervision as torchvision` runs torchvision data code: `embervision.io`, `embervision.transforms`
(v1, `functional`, `v2`), `embervision.tv_tensors`, `embervision.datasets`, `embervision.utils`.
"""

__version__ = "0.1.0"

from . import datasets, io, transforms, tv_tensors, utils

_image_backend = "PIL"


def get_image_backend() -> str:
    """The package used to load images: always "PIL"."""
    return _image_backend


def set_image_backend(backend: str) -> None:
    """Only "PIL" is available (torchvision's accimage is not)."""
    if backend != "PIL":
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL'")


__all__ = ["datasets", "get_image_backend", "io", "set_image_backend", "transforms", "tv_tensors", "utils"]
