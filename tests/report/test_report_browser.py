"""End-to-end: the report file written by `rotation report` in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
#: Fast sections with charts; the full report is exercised by the CLI tests.
ONLY = ("rrg", "spreads", "fed", "coverage")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None, reason="needs /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    cli = Path(sys.executable).parent / "rotation"
    args = [
        str(cli),
        "report",
        "--store",
        str(folder / "store.duckdb"),
        "--out",
        str(folder / "report.html"),
    ]
    for section in ONLY:
        args += ["--only", section]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "report.html"


def test_report_opens_offline_with_charts_and_no_console_errors(report_file, tmp_path):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    external: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(("file://", "data:", "blob:", "about:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda m: errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(report_file.as_uri(), timeout=120_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 3",
                timeout=60_000,
            )
            drawn = page.evaluate(
                "() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".filter(d => d.querySelector('svg.main-svg')).length"
            )
            total = page.locator(".plotly-graph-div").count()
            # each chart draws every trace, shape and annotation of its figure
            drawn_parts = page.evaluate(
                "() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".map(d => [d.id, d.data.length, d.querySelectorAll('g.trace').length,"
                " (d.layout.shapes || []).length,"
                " d.querySelectorAll('.shapelayer path').length,"
                " (d.layout.annotations || []).length,"
                " d.querySelectorAll('g.annotation').length])"
            )
            ids = page.evaluate(
                "() => Array.from(document.querySelectorAll('main section')).map(s => s.id)"
            )
            failed = page.locator("section.failed").count()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "report_top.png"))
            page.locator("section#rrg").scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / "report_rrg.png"))
        finally:
            context.close()

    assert errors == []
    assert external == []  # self-contained: plotly is embedded, no CDN
    assert drawn == total and drawn >= 3
    for chart, *counts in drawn_parts:  # (in the figure, drawn) x 3
        assert counts[0] and counts[0::2] == counts[1::2], chart
    assert ids == list(ONLY)
    assert failed == 0
    payload = json.loads(report_file.with_suffix(".json").read_text(encoding="utf-8"))
    assert set(payload["sections"]) == set(ONLY)
