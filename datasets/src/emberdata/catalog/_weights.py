"""Weight files. Names follow torch.hub: ``<arch>-<first 8 hex digits of sha256>.pth``.

torchvision publishes only that 8-digit prefix (checked with ``hash_prefix``), no full sha256 or md5, so
``sha256`` and ``md5`` are None here. Domain packages register their own weight records with
``emberdata.catalog.register``.
"""

from __future__ import annotations

from ._types import FileSpec, Record

_RESNET_CITATION = "K. He, X. Zhang, S. Ren, J. Sun. Deep Residual Learning for Image Recognition. CVPR 2016."


def _torchvision_resnet(arch: str, filename: str) -> Record:
    prefix = filename.rsplit("-", 1)[1].split(".", 1)[0]
    return Record(
        name=f"{arch}-imagenet1k-v1",
        kind="weights",
        files=(FileSpec(filename, (f"https://download.pytorch.org/models/{filename}",), hash_prefix=prefix),),
        homepage="https://github.com/pytorch/vision",
        licence="BSD-3-Clause (torchvision); trained on ImageNet-1k, whose terms of use may apply",
        citation=_RESNET_CITATION,
        description=f"torchvision {arch} ImageNet-1k weights (IMAGENET1K_V1), a PyTorch state_dict.",
    )


RECORDS = (
    _torchvision_resnet("resnet18", "resnet18-f37072fd.pth"),
    _torchvision_resnet("resnet34", "resnet34-b627a593.pth"),
    _torchvision_resnet("resnet50", "resnet50-0676ba61.pth"),
)
