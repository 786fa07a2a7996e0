"""FakeData: random images that are the same for the same index (for pipelines and tests)."""

from __future__ import annotations

from collections.abc import Callable

import ember

from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` random PIL images of ``image_size`` (C, H, W) with labels in [0, num_classes); image ``i`` is
    drawn with seed ``i + random_offset`` and the global RNG state is restored afterwards."""

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224), num_classes: int = 10,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 random_offset: int = 0) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int):
        from ..transforms import functional as F

        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        state = ember.get_rng_state()
        try:
            ember.manual_seed(index + self.random_offset)
            img = ember.randn(*self.image_size)
            target = ember.randint(0, self.num_classes, size=(1,), dtype=ember.int64)[0]
        finally:
            ember.set_rng_state(state)
        img = F.to_pil_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, int(target) if isinstance(target, ember.Tensor) else target

    def __len__(self) -> int:
        return self.size
