"""ember.nn.functional: the functional form of layers, activations and losses (torch.nn.functional)."""

from ._activation import *  # noqa: F401,F403
from ._attention import *  # noqa: F401,F403
from ._attention import _canonical_mask, _in_projection, _in_projection_packed, _none_or_dtype  # noqa: F401
from ._conv import *  # noqa: F401,F403
from ._distance import *  # noqa: F401,F403
from ._dropout import *  # noqa: F401,F403
from ._embedding import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._loss import *  # noqa: F401,F403
from ._norm import *  # noqa: F401,F403
from ._padding import *  # noqa: F401,F403
from ._pooling import *  # noqa: F401,F403
from ._vision import *  # noqa: F401,F403
