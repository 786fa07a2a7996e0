"""Datasets with torchvision's signatures and on-disk layouts; downloads go through emberdata's catalog."""

from .cifar import CIFAR10, CIFAR100
from .digits import Digits, SKLearnDigits
from .fakedata import FakeData
from .flowers102 import Flowers102
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, pil_loader
from .mnist import EMNIST, KMNIST, MNIST, QMNIST, FashionMNIST
from .oxford_iiit_pet import OxfordIIITPet
from .stl10 import STL10
from .svhn import SVHN
from .vision import StandardTransform, VisionDataset

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "EMNIST",
    "IMG_EXTENSIONS",
    "KMNIST",
    "MNIST",
    "QMNIST",
    "STL10",
    "SVHN",
    "DatasetFolder",
    "Digits",
    "FakeData",
    "FashionMNIST",
    "Flowers102",
    "ImageFolder",
    "OxfordIIITPet",
    "SKLearnDigits",
    "StandardTransform",
    "VisionDataset",
    "default_loader",
    "pil_loader",
]
