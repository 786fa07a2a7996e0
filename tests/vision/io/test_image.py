"""embervision.io: decode/encode/read/write round trips, modes, errors; checked against Pillow directly."""

import io

import numpy as np
import pytest
from PIL import Image

import ember
from embervision import io as vio


def rgb_array(h=12, w=17, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def encoded(img: Image.Image, fmt: str, **kw) -> ember.Tensor:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def test_png_round_trip_and_layout(tmp_path):
    arr = rgb_array()
    x = ember.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
    path = tmp_path / "a.png"
    vio.write_png(x, str(path))
    back = vio.read_image(str(path))
    assert back.dtype == ember.uint8 and tuple(back.shape) == (3, 12, 17)
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    np.testing.assert_array_equal(np.asarray(Image.open(path)), arr)  # (C, H, W) <-> Pillow's (H, W, C)


@pytest.mark.parametrize(
    "mode,channels,pil_mode",
    [
        (vio.ImageReadMode.UNCHANGED, 3, "RGB"),
        (vio.ImageReadMode.GRAY, 1, "L"),
        (vio.ImageReadMode.GRAY_ALPHA, 2, "LA"),
        (vio.ImageReadMode.RGB, 3, "RGB"),
        (vio.ImageReadMode.RGB_ALPHA, 4, "RGBA"),
        ("RGBA", 4, "RGBA"),
    ],
)
def test_decode_modes(mode, channels, pil_mode):
    img = Image.fromarray(rgb_array())
    out = vio.decode_image(encoded(img, "PNG"), mode)
    assert tuple(out.shape) == (channels, 12, 17)
    expected = np.asarray(img.convert(pil_mode))
    expected = expected[:, :, None] if expected.ndim == 2 else expected
    np.testing.assert_array_equal(out.numpy(), expected.transpose(2, 0, 1))


def test_unchanged_keeps_alpha_gray_and_palette():
    rgba = Image.fromarray(np.dstack([rgb_array(), np.full((12, 17), 7, np.uint8)]), "RGBA")
    assert tuple(vio.decode_png(encoded(rgba, "PNG")).shape) == (4, 12, 17)
    gray = Image.fromarray(rgb_array()[:, :, 0])
    assert tuple(vio.decode_png(encoded(gray, "PNG")).shape) == (1, 12, 17)
    pal = Image.fromarray(rgb_array()).convert("P")
    out = vio.decode_image(encoded(pal, "PNG"))
    np.testing.assert_array_equal(out.numpy().transpose(1, 2, 0), np.asarray(pal.convert("RGB")))


def test_16_bit_png_keeps_precision():
    arr = (np.arange(12 * 17, dtype=np.uint16) * 300).reshape(12, 17)
    img = Image.fromarray(arr)
    out = vio.decode_png(encoded(img, "PNG"))
    assert out.dtype == ember.int32
    np.testing.assert_array_equal(out.numpy()[0], arr.astype(np.int32))
    assert vio.decode_png(encoded(img, "PNG"), vio.ImageReadMode.GRAY).dtype == ember.uint8


def test_jpeg_encode_decode_close():
    arr = np.tile(np.linspace(0, 255, 32, dtype=np.uint8), (24, 1))
    x = ember.from_numpy(np.stack([arr, arr[::-1], arr]).copy())
    data = vio.encode_jpeg(x, quality=95)
    assert data.dtype == ember.uint8 and data.ndim == 1
    back = vio.decode_jpeg(data)
    assert np.abs(back.numpy().astype(int) - x.numpy()).mean() < 3
    assert tuple(vio.decode_jpeg(data, vio.ImageReadMode.GRAY).shape) == (1, 24, 32)
    assert len(vio.decode_jpeg([data, data])) == 2
    assert len(vio.encode_jpeg([x, x])) == 2


def test_write_jpeg_and_read_file(tmp_path):
    x = ember.from_numpy(np.ascontiguousarray(rgb_array().transpose(2, 0, 1)))
    path = tmp_path / "b.jpg"
    vio.write_jpeg(x, str(path), quality=90)
    raw = vio.read_file(str(path))
    assert raw.dtype == ember.uint8 and raw.ndim == 1 and raw.numel() == path.stat().st_size
    assert tuple(vio.decode_image(raw).shape) == (3, 12, 17)
    copy = tmp_path / "c.jpg"
    vio.write_file(str(copy), raw)
    assert copy.read_bytes() == path.read_bytes()


def test_gif_frames():
    frames = [Image.fromarray(rgb_array(seed=s)).convert("P") for s in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    data = ember.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())
    out = vio.decode_gif(data)
    assert tuple(out.shape) == (3, 3, 12, 17)
    single = encoded(frames[0], "GIF")
    assert tuple(vio.decode_gif(single).shape) == (3, 12, 17)


def test_exif_orientation():
    img = Image.fromarray(rgb_array(10, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = encoded(img, "JPEG", exif=exif.tobytes(), quality=95)
    assert tuple(vio.decode_jpeg(data).shape) == (3, 10, 20)
    assert tuple(vio.decode_jpeg(data, apply_exif_orientation=True).shape) == (3, 20, 10)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: vio.decode_image(ember.zeros(10, dtype=ember.float32)), RuntimeError, "uint8"),
        (lambda: vio.decode_image(ember.zeros(2, 5, dtype=ember.uint8)), RuntimeError, "1 dimensional"),
        (lambda: vio.decode_image(ember.from_numpy(np.frombuffer(b"not an image", np.uint8).copy())),
         RuntimeError, "unsupported or corrupt"),
        (lambda: vio.decode_png(encoded(Image.new("RGB", (4, 4)), "JPEG")), RuntimeError, "expected PNG"),
        (lambda: vio.decode_jpeg(encoded(Image.new("RGB", (4, 4)), "JPEG"), "RGBA"), RuntimeError, "alpha"),
        (lambda: vio.encode_png(ember.zeros(3, 4, 4)), RuntimeError, "uint8"),
        (lambda: vio.encode_png(ember.zeros(4, 4, dtype=ember.uint8)), RuntimeError, "3-dimensional"),
        (lambda: vio.encode_jpeg(ember.zeros(4, 4, 4, dtype=ember.uint8)), RuntimeError, "1 or 3"),
        (lambda: vio.encode_jpeg(ember.zeros(3, 4, 4, dtype=ember.uint8), quality=0), ValueError, "quality"),
        (lambda: vio.decode_image(ember.zeros(3, dtype=ember.uint8), mode="CMYK"), ValueError, "mode"),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_truncated_png_is_an_error():
    data = encoded(Image.fromarray(rgb_array()), "PNG")
    with pytest.raises(RuntimeError, match="corrupt"):
        vio.decode_png(data[: data.numel() // 2])
