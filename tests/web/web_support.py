"""Constants shared by the web tests (imported as a plain module)."""

from __future__ import annotations

import shutil
from pathlib import Path

#: Two sessions far enough apart that pillar statuses differ between them.
AS_OF_A = "2025-06-02"
AS_OF_B = "2024-10-01"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None
