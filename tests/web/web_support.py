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


class Browser:
    """Headless Debian chromium through Playwright, kept off the network.

    Records console errors, page errors and any request that leaves
    loopback/file (the pages must need nothing from the internet).
    """

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.console_errors: list[str] = []
        self.external_requests: list[str] = []

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.context = self._pw.chromium.launch_persistent_context(
            str(self.profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda msg: (
                self.console_errors.append(msg.text) if msg.type == "error" else None
            ),
        )
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        return self

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file://", "http://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort()

    def rendered_charts(self) -> int:
        """Plotly charts that drew their SVG."""
        return int(
            self.page.evaluate(
                "() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".filter(d => d.querySelector('svg.main-svg')).length"
            )
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def __exit__(self, *exc) -> None:
        self.context.close()
        self._pw.stop()
