"""Deterministic functional-transform cases shared by the torchvision fixture script and the tests.

Plain data only (so the fixture script, run with torchvision, and the tests, run with embervision, read the
same list): each case is (name, function, input, args, kwargs). "IM:<mode>" stands for an InterpolationMode,
"DT:<dtype>" for a dtype, "AR:<name>" for a tensor of arrays()[name], "BF:<format>" for a BoundingBoxFormat.
"""

import numpy as np

H, W = 17, 23


def inputs():
    """name -> (kind, numpy array): 'tensor' arrays are (..., C, H, W), 'pil' arrays (H, W[, C]) uint8."""
    rng = np.random.default_rng(1234)
    u8 = rng.integers(0, 256, (3, H, W), dtype=np.uint8)
    # a smooth image too, so resampling errors are not hidden by noise
    yy, xx = np.mgrid[0:H, 0:W]
    smooth = np.stack([(xx * 8) % 256, (yy * 11) % 256, ((xx + yy) * 5) % 256]).astype(np.uint8)
    return {
        "u8": ("tensor", u8),
        "u8s": ("tensor", smooth),
        "f32": ("tensor", rng.random((3, H, W), dtype=np.float32)),
        "f64": ("tensor", rng.random((3, H, W))),
        "u8b": ("tensor", rng.integers(0, 256, (2, 3, H, W), dtype=np.uint8)),
        "g8": ("tensor", rng.integers(0, 256, (1, H, W), dtype=np.uint8)),
        "pil": ("pil", u8.transpose(1, 2, 0).copy()),
        "pilL": ("pil", u8[0].copy()),
    }


def arrays():
    """Tensor arguments: elastic displacements (1, H, W, 2) in normalized units, large enough to leave the image."""
    rng = np.random.default_rng(4321)
    disp = (rng.random((1, H, W, 2), dtype=np.float32) * 2 - 1) * np.float32(0.25)
    return {"disp": disp, "disp64": disp.astype(np.float64) * 0.5}


def cases():
    out = []

    def add(name, fn, inp, *args, **kwargs):
        out.append((name, fn, inp, args, kwargs))

    for inp in ("u8", "u8s", "f32", "u8b"):
        for size in ((9, 13), 11, (29, 35), (17, 7)):
            for mode in ("nearest", "nearest-exact", "bilinear", "bicubic"):
                for aa in (True, False):
                    if mode.startswith("nearest") and not aa:
                        continue
                    add(f"resize_{inp}_{size}_{mode}_{aa}", "resize", inp, size, f"IM:{mode}", antialias=aa)
    add("resize_max_size", "resize", "u8", 11, "IM:bilinear", max_size=13)
    for mode in ("nearest", "bilinear", "bicubic", "box", "hamming", "lanczos"):
        add(f"resize_pil_{mode}", "resize", "pil", (9, 30), f"IM:{mode}")
    add("resize_pilL", "resize", "pilL", 12)

    for inp in ("u8", "f32", "pil", "u8b"):
        add(f"center_crop_{inp}_small", "center_crop", inp, (10, 12))
        add(f"center_crop_{inp}_pad", "center_crop", inp, (22, 30))
        add(f"crop_{inp}_oob", "crop", inp, -3, -2, 22, 28)
        add(f"hflip_{inp}", "hflip", inp)
        add(f"vflip_{inp}", "vflip", inp)
        add(f"five_crop_{inp}", "five_crop", inp, (9, 10))
        add(f"ten_crop_{inp}", "ten_crop", inp, 9, vertical_flip=True)
        add(f"resized_crop_{inp}", "resized_crop", inp, 2, 3, 12, 15, (8, 8), "IM:bilinear")
        for mode in ("constant", "edge", "reflect", "symmetric"):
            add(f"pad_{inp}_{mode}", "pad", inp, [3, 2, 1, 4], fill=7, padding_mode=mode)
        add(f"pad_{inp}_neg", "pad", inp, [-2, 3], fill=0, padding_mode="constant")
        add(f"pad_{inp}_int", "pad", inp, 2, fill=255 if inp != "f32" else 0.5)

    for inp in ("u8", "u8s", "f32", "pil", "u8b"):
        add(f"rotate_{inp}_30", "rotate", inp, 30.0)
        add(f"rotate_{inp}_90", "rotate", inp, 90.0)
        add(f"rotate_{inp}_m45_expand_bilinear", "rotate", inp, -45.0, "IM:bilinear", expand=True)
        add(f"rotate_{inp}_center_fill", "rotate", inp, 20.0, "IM:bilinear", center=[5, 7],
            fill=[10.0, 20.0, 30.0] if inp != "f32" else [0.1, 0.2, 0.3])
        add(f"affine_{inp}_all", "affine", inp, 15.0, [3, -2], 1.2, [10.0, 5.0])
        add(f"affine_{inp}_bilinear_fill", "affine", inp, -30.0, [0, 4], 0.8, [0.0, 0.0], "IM:bilinear",
            fill=9 if inp != "f32" else 0.25)
        add(f"affine_{inp}_shear_center", "affine", inp, 0.0, [0, 0], 1.0, [25.0, 0.0], center=[0, 0])
        add(f"perspective_{inp}", "perspective", inp, [[0, 0], [22, 0], [22, 16], [0, 16]],
            [[2, 3], [20, 1], [21, 15], [1, 14]])
        add(f"perspective_{inp}_nearest_fill", "perspective", inp, [[0, 0], [22, 0], [22, 16], [0, 16]],
            [[4, 2], [18, 0], [22, 16], [2, 13]], "IM:nearest", fill=[1, 2, 3] if inp != "f32" else [0.5] * 3)

    for inp in ("u8", "u8s", "f32", "f64", "pil", "u8b", "g8", "pilL"):
        add(f"elastic_{inp}", "elastic_transform", inp, "AR:disp")
        add(f"elastic_{inp}_nearest_fill", "elastic_transform", inp, "AR:disp", "IM:nearest",
            fill=[7.0] if inp not in ("f32", "f64") else [0.25])
        add(f"elastic_{inp}_bilinear_fill", "elastic_transform", inp, "AR:disp64",
            fill=[7.0, 8.0, 9.0] if inp in ("u8", "u8s", "pil", "u8b") else [3.0] if inp in ("g8", "pilL") else [0.5])

    for inp in ("u8", "u8s", "f32", "pil", "u8b", "g8", "pilL"):
        add(f"brightness_{inp}", "adjust_brightness", inp, 1.3)
        add(f"contrast_{inp}", "adjust_contrast", inp, 0.6)
        add(f"saturation_{inp}", "adjust_saturation", inp, 1.7)
        add(f"hue_{inp}", "adjust_hue", inp, 0.2)
        add(f"hue_{inp}_neg", "adjust_hue", inp, -0.35)
        add(f"gamma_{inp}", "adjust_gamma", inp, 0.7, 1.1)
        add(f"sharpness_{inp}", "adjust_sharpness", inp, 1.8)
        add(f"sharpness_{inp}_blur", "adjust_sharpness", inp, 0.3)
        add(f"invert_{inp}", "invert", inp)
        add(f"autocontrast_{inp}", "autocontrast", inp)
        add(f"gaussian_blur_{inp}", "gaussian_blur", inp, [5, 3], [1.5, 0.8])
        add(f"gaussian_blur_{inp}_default_sigma", "gaussian_blur", inp, 7)
        if inp != "f32":
            add(f"posterize_{inp}", "posterize", inp, 3)
            add(f"solarize_{inp}", "solarize", inp, 128)
            add(f"equalize_{inp}", "equalize", inp)
        else:
            add(f"solarize_{inp}", "solarize", inp, 0.4)
        if inp not in ("g8", "pilL"):
            add(f"rgb_to_grayscale_{inp}_1", "rgb_to_grayscale", inp, 1)
            add(f"rgb_to_grayscale_{inp}_3", "rgb_to_grayscale", inp, 3)

    add("to_tensor_pil", "to_tensor", "pil")
    add("to_tensor_pilL", "to_tensor", "pilL")
    add("pil_to_tensor_pil", "pil_to_tensor", "pil")
    add("convert_u8_f32", "convert_image_dtype", "u8", "DT:float32")
    add("convert_f32_u8", "convert_image_dtype", "f32", "DT:uint8")
    add("convert_f64_u8", "convert_image_dtype", "f64", "DT:uint8")
    add("convert_u8_int32", "convert_image_dtype", "u8", "DT:int32")
    add("normalize_f32", "normalize", "f32", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    add("normalize_f64", "normalize", "f64", [0.5, 0.4, 0.3], [0.2, 0.3, 0.4])
    add("to_pil_f32", "to_pil_image", "f32")
    add("to_pil_u8", "to_pil_image", "u8")
    add("to_pil_g8", "to_pil_image", "g8")
    add("erase_f32", "erase", "f32", 2, 3, 5, 7, 0.5)
    return out


def v2_inputs():
    """name -> (kind, array, meta) for transforms.v2.functional: boxes (with format) and masks."""
    rng = np.random.default_rng(99)
    boxes = np.array([[2.0, 3.0, 10.0, 12.0], [0.0, 0.0, 22.0, 16.0], [15.5, 1.25, 21.0, 9.75]], dtype=np.float32)
    return {
        "boxes_xyxy": ("boxes", boxes, "XYXY"),
        "boxes_xywh": ("boxes", np.array([[2, 3, 8, 9], [5, 6, 10, 4]], dtype=np.int64), "XYWH"),
        "boxes_cxcywh": ("boxes", np.array([[6.0, 7.5, 8.0, 9.0], [12.0, 4.0, 6.0, 5.0]], dtype=np.float32), "CXCYWH"),
        "mask": ("mask", rng.integers(0, 5, (H, W), dtype=np.uint8), None),
        "masks3": ("mask", rng.integers(0, 2, (3, H, W), dtype=np.uint8), None),
        "img_u8": ("image", rng.integers(0, 256, (3, H, W), dtype=np.uint8), None),
        "img_g8": ("image", rng.integers(0, 256, (1, H, W), dtype=np.uint8), None),
        "img_f32": ("image", rng.random((3, H, W), dtype=np.float32), None),
    }


def v2_cases():
    out = []

    def add(name, fn, inp, *args, **kwargs):
        out.append((name, fn, inp, args, kwargs))

    for inp in ("boxes_xyxy", "boxes_xywh", "boxes_cxcywh", "mask", "masks3"):
        add(f"v2_hflip_{inp}", "horizontal_flip", inp)
        add(f"v2_vflip_{inp}", "vertical_flip", inp)
        add(f"v2_crop_{inp}", "crop", inp, 2, 3, 10, 12)
        add(f"v2_resize_{inp}", "resize", inp, [30, 11])
        add(f"v2_resize_short_{inp}", "resize", inp, 9)
        add(f"v2_pad_{inp}", "pad", inp, [1, 2, 3, 4])
        add(f"v2_center_crop_{inp}", "center_crop", inp, [9, 14])
        add(f"v2_resized_crop_{inp}", "resized_crop", inp, 1, 2, 12, 15, [20, 20])
        add(f"v2_rotate_{inp}", "rotate", inp, 30.0)
        add(f"v2_rotate_expand_{inp}", "rotate", inp, -45.0, expand=True)
        add(f"v2_affine_{inp}", "affine", inp, 20.0, [2, -3], 1.1, [5.0, 3.0])
        add(f"v2_perspective_{inp}", "perspective", inp, [[0, 0], [22, 0], [22, 16], [0, 16]],
            [[2, 3], [20, 1], [21, 15], [1, 14]])
    for inp in ("boxes_xyxy", "boxes_xywh", "boxes_cxcywh"):
        for fmt in ("XYXY", "XYWH", "CXCYWH"):
            add(f"v2_convert_{inp}_{fmt}", "convert_bounding_box_format", inp, new_format=fmt)
        add(f"v2_clamp_{inp}", "clamp_bounding_boxes", inp)
    add("v2_to_dtype_scale", "to_dtype", "img_u8", "DT:float32", scale=True)
    add("v2_to_dtype_noscale", "to_dtype", "img_u8", "DT:float32")
    add("v2_to_dtype_mask", "to_dtype", "mask", "DT:int64", scale=True)
    add("v2_grayscale_to_rgb", "grayscale_to_rgb", "img_g8")
    add("v2_permute_channels", "permute_channels", "img_u8", [2, 0, 1])
    add("v2_resize_u8_aa", "resize", "img_u8", [11, 13])
    for inp in ("boxes_xyxy", "boxes_xywh", "boxes_cxcywh", "mask", "masks3", "img_u8", "img_f32"):
        add(f"v2_elastic_{inp}", "elastic", inp, "AR:disp")
        add(f"v2_perspective_coeffs_{inp}", "perspective", inp, None, None, coefficients=PERSPECTIVE_COEFFS)
    add("v2_elastic_img_u8_fill_nearest", "elastic", "img_u8", "AR:disp", "IM:nearest", fill=[10.0, 20.0, 30.0])
    add("v2_elastic_img_f32_fill", "elastic", "img_f32", "AR:disp64", fill=0.5)
    add("v2_elastic_mask_fill", "elastic", "mask", "AR:disp", fill=255)
    add("v2_elastic_boxes_int_disp64", "elastic", "boxes_xywh", "AR:disp64")
    add("v2_resize_mask_nearest_exact", "resize", "mask", [30, 11], "IM:nearest-exact")
    for q in (5, 50, 95):
        add(f"v2_jpeg_img_u8_{q}", "jpeg", "img_u8", q)
        add(f"v2_jpeg_img_g8_{q}", "jpeg", "img_g8", q)
    return out


PERSPECTIVE_COEFFS = [1.05, 0.1, -1.5, -0.05, 0.95, 2.0, 0.001, -0.002]


def v2_kernel_cases():
    """Per-type kernels of transforms.v2.functional, called on plain tensors: (name, kernel, input, args, kwargs)."""
    out = []

    def add(name, fn, inp, *args, **kwargs):
        out.append((name, fn, inp, args, kwargs))

    canvas = (H, W)
    add("k_resize_image", "resize_image", "img_u8", [11, 13])
    add("k_resize_image_f32_bicubic", "resize_image", "img_f32", [9, 30], "IM:bicubic")
    add("k_resize_mask", "resize_mask", "mask", [30, 11])
    add("k_resize_bounding_boxes", "resize_bounding_boxes", "boxes_xyxy", canvas, [30, 11])
    add("k_resize_bounding_boxes_cxcywh", "resize_bounding_boxes", "boxes_cxcywh", canvas, 9, format="BF:CXCYWH")
    add("k_crop_bounding_boxes", "crop_bounding_boxes", "boxes_xywh", "BF:XYWH", 2, 3, 10, 12)
    add("k_crop_bounding_boxes_noclamp", "crop_bounding_boxes", "boxes_xyxy", "BF:XYXY", 2, 3, 10, 12,
        clamping_mode=None)
    add("k_center_crop_bounding_boxes", "center_crop_bounding_boxes", "boxes_cxcywh", "BF:CXCYWH", canvas, [9, 14])
    add("k_resized_crop_bounding_boxes", "resized_crop_bounding_boxes", "boxes_xyxy", "BF:XYXY", 1, 2, 12, 15,
        [20, 20])
    add("k_pad_bounding_boxes", "pad_bounding_boxes", "boxes_xyxy", "BF:XYXY", canvas, [1, 2, 3, 4])
    add("k_rotate_bounding_boxes", "rotate_bounding_boxes", "boxes_xyxy", "BF:XYXY", canvas, 30.0, expand=True)
    add("k_affine_bounding_boxes", "affine_bounding_boxes", "boxes_xywh", "BF:XYWH", canvas, 20.0, [2, -3], 1.1,
        [5.0, 3.0])
    add("k_perspective_bounding_boxes", "perspective_bounding_boxes", "boxes_xyxy", "BF:XYXY", canvas, None, None,
        coefficients=PERSPECTIVE_COEFFS)
    add("k_elastic_bounding_boxes", "elastic_bounding_boxes", "boxes_cxcywh", "BF:CXCYWH", canvas, "AR:disp")
    add("k_hflip_bounding_boxes", "horizontal_flip_bounding_boxes", "boxes_cxcywh", "BF:CXCYWH", canvas)
    add("k_vflip_bounding_boxes", "vertical_flip_bounding_boxes", "boxes_xywh", "BF:XYWH", canvas)
    add("k_elastic_mask", "elastic_mask", "masks3", "AR:disp")
    add("k_elastic_image", "elastic_image", "img_u8", "AR:disp", fill=[10.0, 20.0, 30.0])
    add("k_rotate_mask", "rotate_mask", "mask", 30.0, expand=True)
    add("k_affine_mask", "affine_mask", "mask", 20.0, [2, -3], 1.1, [5.0, 3.0], fill=3)
    add("k_perspective_mask", "perspective_mask", "mask", None, None, coefficients=PERSPECTIVE_COEFFS)
    add("k_pad_mask", "pad_mask", "masks3", [1, 2, 3, 4])
    add("k_crop_mask", "crop_mask", "mask", 2, 3, 10, 12)
    add("k_center_crop_mask", "center_crop_mask", "mask", [9, 14])
    add("k_resized_crop_mask", "resized_crop_mask", "mask", 1, 2, 12, 15, [20, 20])
    add("k_hflip_mask", "horizontal_flip_mask", "masks3")
    add("k_vflip_mask", "vertical_flip_mask", "mask")
    add("k_rotate_image", "rotate_image", "img_u8", -45.0, "IM:bilinear", expand=True)
    add("k_affine_image", "affine_image", "img_f32", 15.0, [3, -2], 1.2, [10.0, 5.0])
    add("k_perspective_image", "perspective_image", "img_u8", None, None, coefficients=PERSPECTIVE_COEFFS)
    add("k_pad_image", "pad_image", "img_u8", [3, 2, 1, 4], fill=7, padding_mode="reflect")
    add("k_crop_image", "crop_image", "img_u8", -3, -2, 22, 28)
    add("k_center_crop_image", "center_crop_image", "img_u8", [10, 12])
    add("k_resized_crop_image", "resized_crop_image", "img_f32", 2, 3, 12, 15, [8, 8])
    add("k_hflip_image", "horizontal_flip_image", "img_u8")
    add("k_vflip_image", "vertical_flip_image", "img_u8")
    add("k_five_crop_image", "five_crop_image", "img_u8", [9, 10])
    add("k_ten_crop_image", "ten_crop_image", "img_u8", [9, 10], vertical_flip=True)
    add("k_brightness_image", "adjust_brightness_image", "img_u8", 1.3)
    add("k_contrast_image", "adjust_contrast_image", "img_u8", 0.6)
    add("k_saturation_image", "adjust_saturation_image", "img_u8", 1.7)
    add("k_hue_image", "adjust_hue_image", "img_f32", 0.2)
    add("k_gamma_image", "adjust_gamma_image", "img_u8", 0.7, 1.1)
    add("k_sharpness_image", "adjust_sharpness_image", "img_u8", 1.8)
    add("k_autocontrast_image", "autocontrast_image", "img_u8")
    add("k_equalize_image", "equalize_image", "img_u8")
    add("k_invert_image", "invert_image", "img_u8")
    add("k_posterize_image", "posterize_image", "img_u8", 3)
    add("k_solarize_image", "solarize_image", "img_u8", 128)
    add("k_permute_channels_image", "permute_channels_image", "img_u8", [2, 0, 1])
    add("k_rgb_to_grayscale_image", "rgb_to_grayscale_image", "img_u8", 3)
    add("k_grayscale_to_rgb_image", "grayscale_to_rgb_image", "img_g8")
    add("k_gaussian_blur_image", "gaussian_blur_image", "img_f32", [5, 3], [1.5, 0.8])
    add("k_normalize_image", "normalize_image", "img_f32", [0.5, 0.4, 0.3], [0.2, 0.3, 0.4])
    add("k_to_dtype_image", "to_dtype_image", "img_u8", "DT:float32", scale=True)
    add("k_jpeg_image", "jpeg_image", "img_u8", 40)
    add("k_sanitize_bounding_boxes", "sanitize_bounding_boxes", "boxes_xyxy", format="BF:XYXY", canvas_size=canvas,
        min_size=6)
    add("k_get_size_image", "get_size_image", "img_u8")
    add("k_get_dimensions_image", "get_dimensions_image", "img_g8")
    add("k_get_size_mask", "get_size_mask", "masks3")
    return out


def utils_inputs():
    """Arrays for the embervision.utils cases."""
    rng = np.random.default_rng(7)
    masks = np.zeros((3, H, W), dtype=bool)
    masks[0, 2:9, 3:12] = True
    masks[1, 6:15, 8:20] = True  # overlaps mask 0
    masks[2, 12:16, 0:5] = True
    return {
        "batch": rng.random((5, 3, 6, 7), dtype=np.float32),
        "batch_gray": rng.random((3, 1, 6, 7), dtype=np.float32) * 4 - 1,
        "img_u8": rng.integers(0, 256, (3, H, W), dtype=np.uint8),
        "img_f32": rng.random((3, H, W), dtype=np.float32),
        "img_gray": rng.integers(0, 256, (1, H, W), dtype=np.uint8),
        "boxes": np.array([[1, 2, 10, 12], [5, 4, 21, 15], [0, 0, 22, 16]], dtype=np.float32),
        "masks": masks,
        "flow": (rng.standard_normal((2, H, W)) * 3).astype(np.float32),
        "flows": np.concatenate([rng.standard_normal((2, 2, 6, 7)), np.zeros((1, 2, 6, 7))]).astype(np.float32),
        "keypoints": np.array([[[2.7, 3.2], [10.0, 5.5], [15.9, 12.1], [20.0, 15.0]],
                               [[4.0, 14.0], [8.5, 9.0], [-1.0, 2.0], [21.0, 1.0]]], dtype=np.float32),
        "visibility": np.array([[True, True, False, True], [True, True, True, True]]),
    }


def utils_cases():
    """(name, function, args as input names, kwargs; "AR:<name>" kwargs are tensors of utils_inputs())."""
    return [
        ("grid_default", "make_grid", ["batch"], {}),
        ("grid_nrow_pad", "make_grid", ["batch"], {"nrow": 2, "padding": 3, "pad_value": 0.5}),
        ("grid_normalize", "make_grid", ["batch_gray"], {"normalize": True}),
        ("grid_normalize_range", "make_grid", ["batch_gray"], {"normalize": True, "value_range": (-0.5, 0.5)}),
        ("grid_scale_each", "make_grid", ["batch_gray"], {"normalize": True, "scale_each": True, "nrow": 1}),
        ("grid_single", "make_grid", ["img_f32"], {}),
        ("boxes_u8", "draw_bounding_boxes", ["img_u8", "boxes"], {}),
        ("boxes_labels_fill", "draw_bounding_boxes", ["img_u8", "boxes"],
         {"labels": ["cat", "dog", "x"], "fill": True, "width": 2}),
        ("boxes_colors", "draw_bounding_boxes", ["img_u8", "boxes"], {"colors": ["red", (0, 255, 0), "#0000ff"]}),
        ("boxes_one_color", "draw_bounding_boxes", ["img_gray", "boxes"], {"colors": "yellow"}),
        ("boxes_float", "draw_bounding_boxes", ["img_f32", "boxes"], {"labels": ["a", "b", "c"]}),
        ("boxes_fill_labels", "draw_bounding_boxes", ["img_u8", "boxes"],
         {"labels": ["a", "bb", "c"], "fill_labels": True, "label_background_colors": "white"}),
        ("masks_u8", "draw_segmentation_masks", ["img_u8", "masks"], {}),
        ("masks_alpha_colors", "draw_segmentation_masks", ["img_u8", "masks"],
         {"alpha": 0.3, "colors": ["red", "blue", (10, 200, 30)]}),
        ("masks_float", "draw_segmentation_masks", ["img_f32", "masks"], {"alpha": 0.5}),
        ("flow_single", "flow_to_image", ["flow"], {}),
        ("flow_batch", "flow_to_image", ["flows"], {}),
        ("keypoints_default", "draw_keypoints", ["img_u8", "keypoints"], {}),
        ("keypoints_connected", "draw_keypoints", ["img_u8", "keypoints"],
         {"connectivity": [(0, 1), (1, 2), (2, 3)], "colors": "red", "radius": 3, "width": 2}),
        ("keypoints_float_tuple_color", "draw_keypoints", ["img_f32", "keypoints"],
         {"colors": (10, 200, 30), "connectivity": [(0, 3)], "radius": 1}),
        ("keypoints_visibility", "draw_keypoints", ["img_u8", "keypoints"],
         {"connectivity": [(0, 1), (1, 2), (2, 3)], "colors": "#00ffff", "visibility": "AR:visibility"}),
    ]
