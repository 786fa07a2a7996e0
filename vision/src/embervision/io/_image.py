"""Image files <-> uint8 (C, H, W) tensors, with torchvision.io's names; Pillow decodes and encodes."""

from __future__ import annotations

import enum
import io
import os

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

import ember

from .._backend import Tensor, to_numpy, wrap

__all__ = [
    "ImageReadMode",
    "decode_gif",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "decode_webp",
    "encode_jpeg",
    "encode_png",
    "read_file",
    "read_image",
    "write_file",
    "write_jpeg",
    "write_png",
]

class ImageReadMode(enum.Enum):
    """What channels to decode to: UNCHANGED keeps the file's own, the others convert."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA  # alias, as torchvision


_PIL_MODE = {
    ImageReadMode.GRAY: "L",
    ImageReadMode.GRAY_ALPHA: "LA",
    ImageReadMode.RGB: "RGB",
    ImageReadMode.RGB_ALPHA: "RGBA",
}


def _parse_mode(mode) -> ImageReadMode:
    if isinstance(mode, ImageReadMode):
        return mode
    if isinstance(mode, str):
        key = mode.upper()
        aliases = {"L": "GRAY", "LA": "GRAY_ALPHA", "RGBA": "RGB_ALPHA"}
        try:
            return ImageReadMode[aliases.get(key, key)]
        except KeyError:
            pass
    raise ValueError(f"mode must be an ImageReadMode or one of UNCHANGED/GRAY/GRAY_ALPHA/RGB/RGBA, got {mode!r}")


# ------------------------------------------------------------------------------------------ raw bytes


def read_file(path: str | os.PathLike) -> Tensor:
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    if not data:
        raise RuntimeError(f"read_file: {os.fspath(path)} is empty")
    return wrap(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename: str | os.PathLike, data: Tensor) -> None:
    """Write a 1-D uint8 tensor's bytes to ``filename``."""
    _check_encoded(data, "write_file")
    with open(os.fspath(filename), "wb") as f:
        f.write(to_numpy(data).tobytes())


def _check_encoded(data, fn: str) -> None:
    if not isinstance(data, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(data).__name__}")
    if data.dtype != ember.uint8:
        raise RuntimeError(f"{fn}: expected a ember.uint8 tensor, got {data.dtype}")
    if data.ndim != 1:
        raise RuntimeError(f"{fn}: expected a 1 dimensional tensor, got shape {tuple(data.shape)}")
    if data.numel() == 0:
        raise RuntimeError(f"{fn}: the input tensor is empty")


def _encoded_bytes(input, fn: str) -> bytes:
    if isinstance(input, (str, os.PathLike)):
        with open(os.fspath(input), "rb") as f:
            return f.read()
    _check_encoded(input, fn)
    return to_numpy(input).tobytes()


# ------------------------------------------------------------------------------------------ decoding


def _open(data: bytes, fn: str, formats: tuple[str, ...] | None) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise RuntimeError(
            f"{fn}: unsupported or corrupt image data (first bytes {data[:8]!r}); "
            "jpeg, png, gif, webp, bmp and tiff are supported"
        ) from None
    if formats is not None and img.format not in formats:
        raise RuntimeError(f"{fn}: expected {'/'.join(formats)} data, got {img.format}")
    return img


def _to_array(img: Image.Image, mode: ImageReadMode, fn: str) -> np.ndarray:
    """A decoded frame as a (C, H, W) array: uint8, or int32 for 16/32-bit grayscale."""
    if mode is ImageReadMode.UNCHANGED:
        if img.mode in ("I;16", "I;16B", "I;16L", "I"):
            arr = np.asarray(img.convert("I"), dtype=np.int32)
            return arr[None]
        if img.mode == "1":
            img = img.convert("L")
        elif img.mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif img.mode == "PA":
            img = img.convert("RGBA")
        elif img.mode not in ("L", "LA", "RGB", "RGBA"):
            img = img.convert("RGBA" if img.mode.endswith("A") else "RGB")
    else:
        if img.mode in ("I;16", "I;16B", "I;16L", "I"):
            # 16-bit samples scaled to 8 bits, as libpng's strip-16 does
            arr = (np.asarray(img.convert("I"), dtype=np.int64) >> 8).clip(0, 255).astype(np.uint8)
            img = Image.fromarray(arr, "L")
        if img.mode == "P" and "transparency" in img.info:
            img = img.convert("RGBA")
        target = _PIL_MODE[mode]
        if img.mode != target:
            img = img.convert(target)
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return np.ascontiguousarray(arr.transpose(2, 0, 1))  # (H, W, C) -> (C, H, W)


def _decode(data: bytes, mode, apply_exif_orientation: bool, fn: str, formats=None) -> Tensor:
    mode = _parse_mode(mode)
    img = _open(data, fn, formats)
    try:
        n_frames = getattr(img, "n_frames", 1)
        if n_frames > 1:
            frames = []
            for k in range(n_frames):
                img.seek(k)
                frames.append(_to_array(img.convert("RGB") if mode is ImageReadMode.UNCHANGED else img, mode, fn))
            return wrap(np.stack(frames))
        if img.format == "GIF" and mode is ImageReadMode.UNCHANGED:
            img = img.convert("RGB")  # torchvision decodes GIFs to RGB
        if apply_exif_orientation:
            img = ImageOps.exif_transpose(img)
        return wrap(_to_array(img, mode, fn))
    except (OSError, SyntaxError, ValueError) as e:
        raise RuntimeError(f"{fn}: corrupt image data ({e})") from None


def decode_image(input: Tensor | str | os.PathLike, mode: ImageReadMode = ImageReadMode.UNCHANGED,
                 apply_exif_orientation: bool = False) -> Tensor:
    """Decode encoded bytes (1-D uint8 tensor) or a file path to a uint8 (C, H, W) tensor.

    Animated GIF/WebP give (N, C, H, W). 16-bit grayscale PNGs decode to int32 with UNCHANGED (ember has no
    uint16); any other mode scales them to 8 bits.
    """
    return _decode(_encoded_bytes(input, "decode_image"), mode, apply_exif_orientation, "decode_image")


def read_image(
    path: str | os.PathLike, mode: ImageReadMode = ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False
) -> Tensor:
    """Read a JPEG/PNG/GIF/WebP/BMP/TIFF file into a uint8 (C, H, W) tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return _decode(data, mode, apply_exif_orientation, "read_image")


def decode_png(input: Tensor, mode: ImageReadMode = ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False):
    """Decode PNG bytes to a (C, H, W) tensor."""
    return _decode(_encoded_bytes(input, "decode_png"), mode, apply_exif_orientation, "decode_png", ("PNG",))


def decode_jpeg(
    input: Tensor | list[Tensor],
    mode: ImageReadMode = ImageReadMode.UNCHANGED,
    device: str = "cpu",
    apply_exif_orientation: bool = False,
):
    """Decode JPEG bytes (or a list of them) to uint8 (C, H, W) tensors, moved to ``device``."""
    if isinstance(input, (list, tuple)):
        return [decode_jpeg(x, mode, device, apply_exif_orientation) for x in input]
    if _parse_mode(mode) in (ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB_ALPHA):
        raise RuntimeError(f"decode_jpeg: JPEG has no alpha channel; mode {mode} is not supported")
    out = _decode(_encoded_bytes(input, "decode_jpeg"), mode, apply_exif_orientation, "decode_jpeg", ("JPEG", "MPO"))
    return out if str(device) == "cpu" else out.to(device)


def decode_gif(input: Tensor) -> Tensor:
    """Decode GIF bytes: (C, H, W) for one frame, (N, C, H, W) for an animation; always RGB."""
    return _decode(_encoded_bytes(input, "decode_gif"), ImageReadMode.UNCHANGED, False, "decode_gif", ("GIF",))


def decode_webp(input: Tensor, mode: ImageReadMode = ImageReadMode.UNCHANGED) -> Tensor:
    """Decode WebP bytes to a (C, H, W) tensor."""
    return _decode(_encoded_bytes(input, "decode_webp"), mode, False, "decode_webp", ("WEBP",))


# ------------------------------------------------------------------------------------------ encoding

_CHANNEL_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def _to_pil(input, fn: str, allowed: tuple[int, ...]) -> Image.Image:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(input).__name__}")
    if input.dtype != ember.uint8:
        raise RuntimeError(f"{fn}: input tensor dtype should be uint8, got {input.dtype}")
    if input.ndim != 3:
        raise RuntimeError(
            f"{fn}: input data should be a 3-dimensional (C, H, W) tensor, got shape {tuple(input.shape)}"
        )
    c = input.shape[0]
    if c not in allowed:
        raise RuntimeError(f"{fn}: the number of channels should be {' or '.join(map(str, allowed))}, got {c}")
    arr = to_numpy(input).transpose(1, 2, 0)  # (C, H, W) -> (H, W, C)
    arr = np.ascontiguousarray(arr[:, :, 0] if c == 1 else arr)
    return Image.fromarray(arr, _CHANNEL_MODES[c])


def _bytes_tensor(img: Image.Image, **save_kwargs) -> Tensor:
    buf = io.BytesIO()
    img.save(buf, **save_kwargs)
    return wrap(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:
    """Encode a uint8 (C, H, W) tensor (C in 1..4) as PNG; returns the bytes as a 1-D uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise ValueError(f"encode_png: compression_level must be between 0 and 9, got {compression_level}")
    return _bytes_tensor(_to_pil(input, "encode_png", (1, 2, 3, 4)), format="PNG", compress_level=compression_level)


def encode_jpeg(input: Tensor | list[Tensor], quality: int = 75):
    """Encode a uint8 (C, H, W) tensor (C 1 or 3), or a list of them, as JPEG bytes."""
    if isinstance(input, (list, tuple)):
        return [encode_jpeg(x, quality) for x in input]
    if not 1 <= quality <= 100:
        raise ValueError(f"encode_jpeg: image quality should be a positive number between 1 and 100, got {quality}")
    return _bytes_tensor(_to_pil(input, "encode_jpeg", (1, 3)), format="JPEG", quality=quality)


def write_png(input: Tensor, filename: str | os.PathLike, compression_level: int = 6) -> None:
    """Write a uint8 (C, H, W) tensor to a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input: Tensor, filename: str | os.PathLike, quality: int = 75) -> None:
    """Write a uint8 (C, H, W) tensor to a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))
