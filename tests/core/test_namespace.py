"""The ember namespace: lazy submodules and torch's top-level aliases."""

import subprocess
import sys

import ember


def test_top_level_functional_aliases():
    import ember.nn.functional as F

    x = ember.randn(1, 2, 5, 5)
    w = ember.randn(3, 2, 3, 3)
    assert ember.conv2d is F.conv2d
    assert ember.conv2d(x, w, padding=1).shape == (1, 3, 5, 5)
    assert ember.pixel_shuffle(ember.randn(1, 4, 2, 2), 2).shape == (1, 1, 4, 4)


def test_import_ember_loads_no_submodule_it_does_not_need():
    code = "import sys, ember; print(any(m in sys.modules for m in ('ember.nn', 'ember.optim', 'ember.utils.data')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert ember.nn.Linear is not None and ember.optim.SGD is not None
