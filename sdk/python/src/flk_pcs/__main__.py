"""``python3 -m flk_pcs canonical|id|sign|verify|make FILE...`` (see flk_pcs.cli)."""
from __future__ import annotations

from .cli import main

raise SystemExit(main())
