"""The dashboard's Watch card shows the last `rotation thesis watch` run, live."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from rotation.cli import app
from rotation.web import BackgroundServer

from .web_support import Browser, chromium_available

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium"),
]


def test_watch_card_reads_the_recorded_run(store_path, thesis_dir, tmp_path):
    store = tmp_path / "watched.duckdb"
    shutil.copy(store_path, store)
    with BackgroundServer(store, thesis_dir=thesis_dir) as server:
        with Browser(tmp_path / "profile") as browser:
            page = browser.page
            page.goto(f"{server.url}/?sections=fed", timeout=120_000)
            page.wait_for_function(
                "() => !document.querySelector('#watch .caption').textContent"
                ".startsWith('Loading')",
                timeout=30_000,
            )
            assert "No watch run recorded" in page.inner_text("#watch")
        # a cron run records the thesis; the next page load shows it (no cache)
        result = CliRunner().invoke(app, ["thesis", "watch", "--store", str(store)])
        assert result.exit_code == 0, result.output
        with Browser(tmp_path / "profile2") as browser:
            page = browser.page
            page.goto(f"{server.url}/?sections=fed&window=21", timeout=120_000)
            page.wait_for_function(
                "() => document.querySelector('#watch .caption').textContent"
                ".startsWith('Last watch run')",
                timeout=30_000,
            )
            assert "nothing flipped since the first run" in page.inner_text("#watch")
