"""The README's main job: examples/train_digits.py trains on scikit-learn's digits offline and saves its pictures."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "examples", "train_digits.py")


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="the demo reads scikit-learn's digits")
def test_demo_trains_and_saves_pictures(tmp_path):
    out = tmp_path / "demo"
    env = dict(os.environ, EMBER_OFFLINE="1", EMBER_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, SCRIPT, "--epochs", "2", "--out", str(out)], capture_output=True,
                          text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "epoch 2/2" in proc.stderr  # the per-epoch progress bar
    assert "test accuracy:" in proc.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and len(metrics["train_loss"]) == 2
    assert metrics["test_accuracy"] > 0.80  # two epochs already separate most digits (15 reach ~98%)
    assert metrics["train_loss"][1] < metrics["train_loss"][0]
    for name in ("predictions.png", "curves.png"):
        with Image.open(out / name) as img:
            assert img.format == "PNG" and img.width > 200 and img.height > 150
