"""ember.nn: Module, Parameter, layers, functional, init and utils (torch.nn)."""

import importlib as _importlib

from .modules import *  # noqa: F401,F403
from . import functional, init, modules  # noqa: F401,E402
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401,E402

# the star import above also brings `utils` (ember.nn.modules.utils); nn.utils is the package nn/utils
utils = _importlib.import_module(".utils", __name__)
