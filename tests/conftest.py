"""Test set-up: Qt runs headless; designer tests get a QApplication from pytest-qt."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Dock tests train in a thread (fast, and they read the live trainer); the child-process
# path has its own tests in tests/designer/test_training_process.py.
os.environ.setdefault("NETWRIGHT_TRAIN_IN_THREAD", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
