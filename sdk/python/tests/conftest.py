from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SDK = HERE.parent
sys.path.insert(0, str(SDK / "src"))  # the sources under test, installed or not

REPO = Path(os.environ.get("FLK_REPO", str(SDK.parent.parent))).resolve()
VECTORS = Path(os.environ.get("FLK_VECTORS_DIR", str(REPO / "test" / "vectors")))
FIXTURES = REPO / "test" / "fixtures" / "cli"
