"""The fake's current device and device count (FAKECUPY_DEVICES, default 2 so cross-device code runs)."""

import os

COUNT = int(os.environ.get("FAKECUPY_DEVICES", "2"))
current = 0
