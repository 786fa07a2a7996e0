"""Bounding-box kernels of transforms.v2 (on (N, 4) arrays): format conversion, clamping, geometry."""

from __future__ import annotations

import numpy as np

from ... import tv_tensors as tv
from ..._backend import Tensor, array_of, to_numpy, wrap
from .. import _resample
from ..functional import _get_inverse_affine_matrix

XYXY = tv.BoundingBoxFormat.XYXY


def _to_xyxy(a: np.ndarray, fmt) -> np.ndarray:
    if fmt == tv.BoundingBoxFormat.XYWH:
        x, y, w, h = a.T
        return np.stack([x, y, x + w, y + h], axis=1)
    if fmt == tv.BoundingBoxFormat.CXCYWH:
        cx, cy, w, h = a.T
        return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return a


def _from_xyxy(a: np.ndarray, fmt) -> np.ndarray:
    x1, y1, x2, y2 = a.T
    if fmt == tv.BoundingBoxFormat.XYWH:
        return np.stack([x1, y1, x2 - x1, y2 - y1], axis=1)
    if fmt == tv.BoundingBoxFormat.CXCYWH:
        return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=1)
    return a


def _boxes_out(boxes: tv.BoundingBoxes, xyxy: np.ndarray, canvas_size, clamp: bool = True) -> tv.BoundingBoxes:
    """Back to the boxes' own format and dtype (truncating toward zero for ints, as torch's .to)."""
    if clamp:
        xyxy = _clamp_xyxy(xyxy, canvas_size)
    a = _from_xyxy(xyxy, boxes.format)
    dtype = array_of(boxes).dtype
    out = wrap(a.astype(dtype)).to(boxes.device)
    return tv.wrap(out, like=boxes, canvas_size=tuple(int(s) for s in canvas_size))


def _xyxy(boxes: tv.BoundingBoxes) -> np.ndarray:
    return _to_xyxy(to_numpy(boxes.as_subclass(Tensor)).astype(np.float64).reshape(-1, 4), boxes.format)


def _clamp_xyxy(a: np.ndarray, canvas_size) -> np.ndarray:
    h, w = canvas_size
    a = a.copy()
    a[:, 0::2] = a[:, 0::2].clip(0, w)
    a[:, 1::2] = a[:, 1::2].clip(0, h)
    return a


def convert_format(boxes: tv.BoundingBoxes, new_format) -> tv.BoundingBoxes:
    if isinstance(new_format, str):
        new_format = tv.BoundingBoxFormat[new_format.upper()]
    a = _from_xyxy(_xyxy(boxes), new_format)
    out = wrap(a.astype(array_of(boxes).dtype)).to(boxes.device)
    return tv.wrap(out, like=boxes, format=new_format)


def clamp(boxes: tv.BoundingBoxes) -> tv.BoundingBoxes:
    return _boxes_out(boxes, _xyxy(boxes), boxes.canvas_size)


def hflip(boxes):
    a = _xyxy(boxes)
    w = boxes.canvas_size[1]
    return _boxes_out(boxes, np.stack([w - a[:, 2], a[:, 1], w - a[:, 0], a[:, 3]], axis=1), boxes.canvas_size, False)


def vflip(boxes):
    a = _xyxy(boxes)
    h = boxes.canvas_size[0]
    return _boxes_out(boxes, np.stack([a[:, 0], h - a[:, 3], a[:, 2], h - a[:, 1]], axis=1), boxes.canvas_size, False)


def crop(boxes, top: int, left: int, height: int, width: int, clamp: bool = True):
    a = _xyxy(boxes) - np.array([left, top, left, top], dtype=np.float64)
    return _boxes_out(boxes, a, (height, width), clamp)


def resize(boxes, new_h: int, new_w: int):
    old_h, old_w = boxes.canvas_size
    ratios = np.array([new_w / old_w, new_h / old_h, new_w / old_w, new_h / old_h])
    return _boxes_out(boxes, _xyxy(boxes) * ratios, (new_h, new_w), clamp=False)


def pad(boxes, left: int, top: int, right: int, bottom: int, clamp: bool = True):
    a = _xyxy(boxes) + np.array([left, top, left, top], dtype=np.float64)
    h, w = boxes.canvas_size
    return _boxes_out(boxes, a, (h + top + bottom, w + left + right), clamp)


def _enclosing(points: np.ndarray) -> np.ndarray:
    pts = points.reshape(-1, 4, 2)
    return np.concatenate([pts.min(axis=1), pts.max(axis=1)], axis=1)


def _corners(a: np.ndarray) -> np.ndarray:
    """(N*4, 2) corners of (N, 4) xyxy boxes: top-left, top-right, bottom-right, bottom-left."""
    return a[:, [[0, 1], [2, 1], [2, 3], [0, 3]]].reshape(-1, 2)


def affine(boxes, angle, translate, scale, shear, center=None, expand: bool = False, clamp: bool = True):
    h, w = boxes.canvas_size
    if center is None:
        center = [w * 0.5, h * 0.5]
    fwd = np.array(_get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=False)).reshape(2, 3)
    pts = _corners(_xyxy(boxes))
    moved = pts @ fwd[:, :2].T + fwd[:, 2]
    out = _enclosing(moved)
    canvas = (h, w)
    if expand:
        frame = np.array([[0.0, 0.0], [0.0, h], [w, h], [w, 0.0]]) @ fwd[:, :2].T + fwd[:, 2]
        out = out - np.tile(frame.min(axis=0), 2)
        inv = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        new_w, new_h = _resample.affine_output_size(inv, w, h)
        canvas = (new_h, new_w)
    return _boxes_out(boxes, out, canvas, clamp)


def perspective(boxes, coeffs: list[float], clamp: bool = True):
    c = coeffs
    # coeffs map output pixels to input pixels; boxes need the forward map, the inverse homography
    m = np.array([[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], 1.0]], dtype=np.float64)
    inv = np.linalg.inv(m)
    pts = _corners(_xyxy(boxes))
    homo = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ inv.T
    moved = homo[:, :2] / homo[:, 2:3]
    return _boxes_out(boxes, _enclosing(moved), boxes.canvas_size, clamp)


def elastic(boxes, displacement: Tensor, clamp: bool = True):
    """torchvision's approximation: each corner moves by the inverse grid (identity - displacement) read at the
    corner's (ceil'd) pixel; the new box encloses the moved corners."""
    h, w = boxes.canvas_size
    expected = (1, h, w, 2)
    if not isinstance(displacement, Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    if tuple(displacement.shape) != expected:
        raise ValueError(f"Argument displacement shape should be {expected}, but given {tuple(displacement.shape)}")
    src = array_of(boxes).dtype
    if boxes.numel() == 0:
        return boxes
    dt = src if src.kind == "f" else np.dtype(np.float32)
    disp = to_numpy(displacement).astype(dt)
    gx, gy = _resample.identity_grid(h, w, dt)
    inv_x, inv_y = gx - disp[0, :, :, 0], gy - disp[0, :, :, 1]
    pts = _corners(_xyxy(boxes))
    if src.kind == "f":
        pts = np.ceil(pts.astype(dt))
    idx = pts.astype(np.int64)
    ix, iy = idx[:, 0].clip(0, w - 1), idx[:, 1].clip(0, h - 1)
    half = np.array([w, h], dtype=dt) * dt.type(0.5)
    moved = (np.stack([inv_x[iy, ix], inv_y[iy, ix]], axis=1) + dt.type(1)) * half - dt.type(0.5)
    # torchvision casts to the boxes' dtype (truncating ints) before clamping and converting the format
    out = _enclosing(moved).astype(src).astype(np.float64)
    return _boxes_out(boxes, out, boxes.canvas_size, clamp)
