"""Image utilities with torchvision.utils' names: make_grid, save_image, draw_bounding_boxes,
draw_segmentation_masks, draw_keypoints and flow_to_image."""

from __future__ import annotations

import math
import os
import warnings
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

import ember

from ._backend import Tensor, array_of, to_numpy, wrap, xp_of_array

__all__ = ["draw_bounding_boxes", "draw_keypoints", "draw_segmentation_masks", "flow_to_image", "make_grid",
           "save_image"]


def make_grid(tensor: Tensor | list[Tensor], nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Tensor:
    """Tile a batch (B, C, H, W) (or a list of (C, H, W)) into one (3 or C, H', W') image, ``nrow`` per row.

    ``normalize`` rescales to [0, 1] by ``value_range`` (default: the min and max, per image with ``scale_each``).
    """
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = ember.stack(tensor, dim=0)
    a = array_of(tensor.detach())
    xp = xp_of_array(a)
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        if a.shape[0] == 1:
            a = xp.concatenate([a, a, a], axis=0)
        a = a[None]
    if a.ndim == 4 and a.shape[1] == 1:
        a = xp.concatenate([a, a, a], axis=1)
    if a.ndim != 4:
        raise ValueError(f"make_grid expects (H, W), (C, H, W) or (B, C, H, W) images, got {a.ndim} dims")
    if normalize is True:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        a = a.copy()

        def norm_range(t):
            low, high = value_range if value_range is not None else (float(t.min()), float(t.max()))
            t = xp.clip(t, low, high)
            return (t - low) / max(high - low, 1e-5)

        if scale_each is True:
            a = xp.stack([norm_range(t) for t in a]).astype(a.dtype)
        else:
            a = norm_range(a).astype(a.dtype)
    if a.shape[0] == 1:
        return wrap(a[0])
    nmaps = a.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(a.shape[2] + padding), int(a.shape[3] + padding)
    grid = xp.full((a.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, dtype=a.dtype)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            top, left = y * height + padding, x * width + padding
            grid[:, top : top + height - padding, left : left + width - padding] = a[k]
            k += 1
    return wrap(grid)


def save_image(tensor: Tensor | list[Tensor], fp: str | os.PathLike | BinaryIO, format: str | None = None,
               **kwargs) -> None:
    """make_grid(tensor, **kwargs) of [0, 1] floats saved as an 8-bit image (format from the file name)."""
    grid = array_of(make_grid(tensor, **kwargs))
    xp = xp_of_array(grid)
    # + 0.5 rounds to the nearest integer when the [0, 255] floats are truncated to uint8
    ndarr = xp.clip(grid * 255 + 0.5, 0, 255).transpose(1, 2, 0).astype(np.uint8)
    ndarr = ndarr if ndarr.__class__ is np.ndarray else ndarr.get()
    Image.fromarray(np.ascontiguousarray(ndarr)).save(fp, format=format)


def _generate_color_palette(num_objects: int) -> list[tuple[int, int, int]]:
    palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1], dtype=np.int64)
    return [tuple(int(v) for v in (i * palette) % 255) for i in range(num_objects)]


def _parse_colors(colors, *, num_objects: int, dtype=ember.uint8) -> list[tuple]:
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError(f"Number of colors must be equal or larger than the number of objects, but got "
                             f"{len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"`colors` must be a tuple or a string, or a list thereof, but got {colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    colors = [ImageColor.getrgb(c) if isinstance(c, str) else tuple(c) for c in colors]
    if dtype.is_floating_point:
        colors = [tuple(v / 255 for v in c) for c in colors]
    return colors


def _to_uint8_hwc(image: Tensor) -> tuple[np.ndarray, bool]:
    arr = to_numpy(image.detach())
    is_float = arr.dtype.kind == "f"
    if is_float:  # to_dtype(scale=True): [0, 1] -> [0, 255]
        arr = (arr * (255 + 1.0 - 1e-3)).astype(np.uint8)
    return np.ascontiguousarray(arr.transpose(1, 2, 0)), is_float


def draw_bounding_boxes(image: Tensor, boxes: Tensor, labels: list[str] | None = None, colors=None,
                        fill: bool = False, width: int = 1, font: str | None = None, font_size: int | None = None,
                        label_colors=None, label_background_colors=None, fill_labels: bool = False) -> Tensor:
    """Draw (N, 4) xyxy ``boxes`` (and ``labels``) on a uint8 or float (C, H, W) image (C = 1 or 3).

    ``fill`` tints the boxes; ``fill_labels`` puts each label on a box of ``label_background_colors``.
    """
    if not isinstance(image, Tensor):
        raise TypeError(f"Tensor expected, got {type(image)}")
    if not (image.dtype == ember.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) not in {1, 3}:
        raise ValueError("Only grayscale and RGB images are supported")
    b = to_numpy(boxes.detach()) if isinstance(boxes, Tensor) else np.asarray(boxes)
    if b.ndim != 2 or b.shape[-1] != 4:
        raise ValueError(f"boxes must be (N, 4) in (xmin, ymin, xmax, ymax) format, got shape {b.shape}")
    if (b[:, 0] > b[:, 2]).any() or (b[:, 1] > b[:, 3]).any():
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use "
                         "embervision.transforms.v2.functional.convert_bounding_box_format to convert them")
    num_boxes = b.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. "
                         "Please specify labels for each box.")
    colors = _parse_colors(colors, num_objects=num_boxes)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else "black", num_objects=num_boxes)
    else:
        label_colors = list(colors)
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_objects=num_boxes)
    else:
        label_background_colors = list(colors)
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    if image.size(0) == 1:
        image = ember.cat([image, image, image], dim=0)
    original_dtype = image.dtype
    hwc, is_float = _to_uint8_hwc(image)
    img_to_draw = Image.fromarray(hwc)
    draw = ImageDraw.Draw(img_to_draw, "RGBA") if fill else ImageDraw.Draw(img_to_draw)
    for bbox, color, label, label_color, label_bg in zip(b.astype(np.int64).tolist(), colors, labels, label_colors,
                                                          label_background_colors):
        draw.rectangle(bbox, width=width, outline=color, fill=tuple(color) + (100,) if fill else None)
        if label is not None:
            box_margin = 1
            margin = width + box_margin
            if fill_labels:
                left, top, right, bottom = draw.textbbox((bbox[0] + margin, bbox[1] + margin), label, font=txt_font)
                draw.rectangle((left - box_margin, top - box_margin, right + box_margin, bottom + box_margin),
                               fill=label_bg)
            draw.text((bbox[0] + margin, bbox[1] + margin), label, fill=label_color, font=txt_font)
    out = np.ascontiguousarray(np.asarray(img_to_draw).transpose(2, 0, 1))
    if is_float:
        out = out.astype(original_dtype.np) / original_dtype.np.type(255)
    return wrap(out).to(image.device)


def draw_segmentation_masks(image: Tensor, masks: Tensor, alpha: float = 0.8, colors=None) -> Tensor:
    """Blend boolean ``masks`` ((H, W) or (N, H, W)) over an RGB image with opacity ``alpha``."""
    if not isinstance(image, Tensor):
        raise TypeError(f"The image must be a tensor, got {type(image)}")
    if not (image.dtype == ember.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if masks.ndim == 2:
        masks = masks[None, :, :]
    if masks.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if masks.dtype != ember.bool:
        raise ValueError(f"The masks must be of dtype bool. Got {masks.dtype}")
    if tuple(masks.shape[-2:]) != tuple(image.shape[-2:]):
        raise ValueError("The image and the masks must have the same height and width")
    num_masks = masks.shape[0]
    if num_masks == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn")
        return image
    img = array_of(image.detach())
    m = array_of(masks)
    xp = xp_of_array(img)
    overlapping = m.sum(axis=0) > 1
    original = img.dtype
    colors = _parse_colors(colors, num_objects=num_masks, dtype=image.dtype)
    to_draw = img.copy()
    for mask, color in zip(m, colors):
        to_draw[:, mask] = xp.asarray(color, dtype=original)[:, None]
    to_draw[:, overlapping] = 0
    ft = original if original.kind == "f" else np.dtype(np.float32)
    out = img.astype(ft) * ft.type(1 - alpha) + to_draw.astype(ft) * ft.type(alpha)
    return wrap(out.astype(original))


def draw_keypoints(image: Tensor, keypoints: Tensor, connectivity: list[tuple[int, int]] | None = None, colors=None,
                   radius: int = 2, width: int = 3, visibility: Tensor | None = None) -> Tensor:
    """Draw (num_instances, K, 2) [x, y] ``keypoints`` as discs of ``radius`` on an RGB (3, H, W) uint8 or float
    image, joined by lines of ``width`` for each (i, j) pair of ``connectivity``; keypoints whose ``visibility``
    (num_instances, K) is False are skipped, with their lines."""
    if not isinstance(image, Tensor):
        raise TypeError(f"The image must be a tensor, got {type(image)}")
    if not (image.dtype == ember.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if keypoints.ndim != 3:
        raise ValueError("keypoints must be of shape (num_instances, K, 2)")
    kpts = to_numpy(keypoints.detach()) if isinstance(keypoints, Tensor) else np.asarray(keypoints)
    if visibility is None:
        vis = np.ones(kpts.shape[:-1], dtype=bool)
    else:
        vis = to_numpy(visibility.detach()) if isinstance(visibility, Tensor) else np.asarray(visibility)
    if vis.ndim == 3:  # (num_instances, K, 1), e.g. from pred.split([2, 1], dim=-1)
        vis = vis.squeeze(-1)
    if vis.ndim != 2:
        raise ValueError(f"visibility must be of shape (num_instances, K). Got ndim={vis.ndim}")
    if vis.shape != kpts.shape[:-1]:
        raise ValueError("keypoints and visibility must have the same dimensionality for num_instances and K. "
                         f"Got visibility.shape={tuple(vis.shape)} and keypoints.shape={tuple(kpts.shape)}")
    original_dtype = image.dtype
    hwc, is_float = _to_uint8_hwc(image)
    img_to_draw = Image.fromarray(hwc)
    draw = ImageDraw.Draw(img_to_draw)
    # .to(torch.int64) truncates toward zero
    img_kpts = kpts.astype(np.int64).tolist()
    img_vis = vis.astype(bool).tolist()
    for kpt_inst, vis_inst in zip(img_kpts, img_vis):
        for (x, y), kp_vis in zip(kpt_inst, vis_inst):
            if kp_vis:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colors, outline=None, width=0)
        for start, end in connectivity or ():
            if not (vis_inst[start] and vis_inst[end]):
                continue
            draw.line((tuple(kpt_inst[start]), tuple(kpt_inst[end])), width=width)
    out = np.ascontiguousarray(np.asarray(img_to_draw).transpose(2, 0, 1))
    if is_float:
        out = out.astype(original_dtype.np) / original_dtype.np.type(255)
    return wrap(out).to(image.device)


def _make_colorwheel() -> np.ndarray:
    """The (55, 3) float32 colour wheel of Baker et al., "A Database and Evaluation Methodology for Optical Flow"
    (ICCV 2007): red-yellow-green-cyan-blue-magenta segments of 15, 6, 4, 11, 13 and 6 hues."""
    ry, yg, gc, cb, bm, mr = 15, 6, 4, 11, 13, 6
    wheel = np.zeros((ry + yg + gc + cb + bm + mr, 3), dtype=np.float32)

    def ramp(n):  # floor(255 * i / n): the integer 255 * i divided in float32, as torch computes it
        return np.floor((255 * np.arange(n)).astype(np.float32) / np.float32(n))

    col = 0
    wheel[col : col + ry, 0] = 255
    wheel[col : col + ry, 1] = ramp(ry)
    col += ry
    wheel[col : col + yg, 0] = 255 - ramp(yg)
    wheel[col : col + yg, 1] = 255
    col += yg
    wheel[col : col + gc, 1] = 255
    wheel[col : col + gc, 2] = ramp(gc)
    col += gc
    wheel[col : col + cb, 1] = 255 - ramp(cb)
    wheel[col : col + cb, 2] = 255
    col += cb
    wheel[col : col + bm, 2] = 255
    wheel[col : col + bm, 0] = ramp(bm)
    col += bm
    wheel[col : col + mr, 2] = 255 - ramp(mr)
    wheel[col : col + mr, 0] = 255
    return wheel


def _normalized_flow_to_image(flow):
    """(N, 2, H, W) flow with norms <= 1 -> (N, 3, H, W) uint8: hue from the direction, saturation from the norm."""
    xp = xp_of_array(flow)
    wheel = xp.asarray(_make_colorwheel())
    num_cols = wheel.shape[0]
    f32 = np.float32
    norm = xp.sqrt((flow**2).sum(axis=1))
    a = xp.arctan2(-flow[:, 1], -flow[:, 0]) / f32(np.pi)
    fk = (a + f32(1)) / f32(2) * f32(num_cols - 1)
    k0 = xp.floor(fk).astype(np.int64)
    k1 = k0 + 1
    k1[k1 == num_cols] = 0
    f = fk - k0.astype(np.float32)
    channels = []
    for c in range(wheel.shape[1]):
        col0 = wheel[:, c][k0] / f32(255)
        col1 = wheel[:, c][k1] / f32(255)
        col = (f32(1) - f) * col0 + f * col1
        col = f32(1) - norm * (f32(1) - col)
        channels.append(xp.floor(f32(255) * col).astype(np.uint8))
    return xp.stack(channels, axis=1)


def flow_to_image(flow: Tensor) -> Tensor:
    """Optical flow (2, H, W) or (N, 2, H, W) float32 -> uint8 RGB (3, H, W) / (N, 3, H, W) on torchvision's colour
    wheel: the hue gives the direction, the saturation the magnitude relative to the largest in the input."""
    if flow.dtype != ember.float32:
        raise ValueError(f"Flow should be of dtype torch.float, got {flow.dtype}.")
    orig_shape = tuple(flow.shape)
    a = array_of(flow.detach())
    if a.ndim == 3:
        a = a[None]
    if a.ndim != 4 or a.shape[1] != 2:
        raise ValueError(f"Input flow should have shape (2, H, W) or (N, 2, H, W), got {orig_shape}.")
    xp = xp_of_array(a)
    max_norm = xp.sqrt((a**2).sum(axis=1)).max()
    normalized = a / (max_norm + np.finfo(np.float32).eps)
    img = _normalized_flow_to_image(normalized)
    return wrap(img[0] if len(orig_shape) == 3 else img)
