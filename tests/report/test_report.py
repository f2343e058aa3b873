"""The report shell end to end: every section, the summary, escaping, formats."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from rotation.cli import app
from rotation.report.summary import tiles
from rotation.thesis_files import default_thesis_text

runner = CliRunner()
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp("report") / "rotation.duckdb")


@pytest.fixture(scope="module")
def full_report(store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "report.html"
    result = runner.invoke(app, ["report", "--store", store_path, "--out", str(out)])
    return result, out


class TestFullReport:
    def test_every_section_builds(self, full_report):
        result, out = full_report
        assert result.exit_code == 0, result.output
        payload = json.loads(out.with_suffix(".json").read_text())
        assert payload["meta"]["failures"] == []
        ids = list(payload["sections"])
        assert ids[0] == "summary" and ids[1] == "thesis" and ids[-1] == "coverage"
        assert {
            "rrg",
            "spreads",
            "correlation",
            "copper",
            "rates",
            "regimes",
            "backtest",
            "risk",
        } <= set(ids)

    def test_summary_bullets_carry_figures_and_dates(self, full_report):
        _, out = full_report
        summary = json.loads(out.with_suffix(".json").read_text())["sections"][
            "summary"
        ]
        bullets = summary["headline"]["bullets"]
        assert 5 <= len(bullets) <= 10
        for bullet in bullets:
            assert re.search(r"\d", bullet) and "2026-" in bullet, bullet

    def test_summary_agrees_with_sections(self, full_report):
        _, out = full_report
        sections = json.loads(out.with_suffix(".json").read_text())["sections"]
        numbers = sections["summary"]["headline"]["numbers"]
        assert numbers["health"]["value"] == sections["thesis"]["health"]
        watched = sections["correlation"]["baskets"][0]
        assert numbers["watched_correlation"]["value"] == watched["value"]

    def test_second_run_shows_what_changed(self, store_path, tmp_path, full_report):
        out = tmp_path / "again.html"
        result = runner.invoke(
            app,
            [
                "report",
                "--store",
                store_path,
                "--out",
                str(out),
                "--as-of",
                "2026-07-01",
            ],
        )
        assert result.exit_code == 0, result.output
        later = tmp_path / "later.html"
        runner.invoke(app, ["report", "--store", store_path, "--out", str(later)])
        summary = json.loads(later.with_suffix(".json").read_text())["sections"][
            "summary"
        ]
        assert summary["previous"]["as_of"] == "2026-07-01"
        html = later.read_text()
        assert "previous (2026-07-01)" in html and (
            "▲" in html or "▼" in html or "→" in html
        )


class TestSummaryUnit:
    @staticmethod
    def _headline(health, probability, unchanged):
        return {
            "as_of": "2026-08-03",
            "regime": "tech leadership",
            "numbers": {
                "health": {"label": "Thesis health", "unit": "share", "value": health},
                "long_leads_probability": {
                    "label": "P(rotation)",
                    "unit": "probability",
                    "value": probability,
                },
                "watched_correlation": {
                    "label": "ai_large avg correlation",
                    "unit": "correlation",
                    "value": unchanged,
                },
            },
        }

    def test_tiles_arrows(self):
        now = self._headline(0.6, 0.5, 0.3)
        before = self._headline(0.7, 0.4, 0.3)
        notes = {t.label.split(" (")[0]: t.note for t in tiles(now, before)}
        assert notes["Thesis health"].startswith("▼")
        assert notes["P(rotation)"].startswith("▲")
        assert notes["ai_large avg correlation"].startswith("→")

    def test_first_report_has_no_arrows(self):
        notes = [t.note for t in tiles(self._headline(0.6, 0.5, 0.3), None)]
        assert notes == ["first report on this store"] * 3


class TestEscaping:
    def test_hostile_thesis_text_stays_text(self, store_path, tmp_path):
        text = default_thesis_text()
        text = text.replace("title: The Great 2026 Rotation", f"title: '{HOSTILE}'", 1)
        text = text.replace(
            "claim: Capital rotates from technology into Industrials, Materials and Energy.",
            f"claim: '{HOSTILE}'",
            1,
        )
        assert HOSTILE in text
        path = tmp_path / "hostile.yaml"
        path.write_text(text)
        out = tmp_path / "hostile.html"
        result = runner.invoke(
            app,
            [
                "report",
                "--store",
                store_path,
                "--out",
                str(out),
                "--thesis",
                str(path),
                "--only",
                "thesis",
            ],
        )
        assert result.exit_code == 0, result.output
        html = out.read_text()
        assert HOSTILE not in html
        assert "&lt;script&gt;alert(" in html and "onerror=alert(1)&gt;" in html
        # The only scripts are plotly's bundle, the figures and our dark-mode snippet.
        assert "alert(" not in "".join(
            re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
        ).replace("&lt;", "")


def test_markdown_format(store_path, tmp_path):
    out = tmp_path / "report.md"
    result = runner.invoke(
        app,
        [
            "report",
            "--store",
            store_path,
            "--out",
            str(out),
            "--format",
            "md",
            "--only",
            "rates",
            "--only",
            "coverage",
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# rotation report") and "| kind | id |" in text


def test_weekly_points_skip_rows_without_data():
    # the week of 2025-07-04 (a holiday of these assets that other markets
    # traded) must show its last session with data, not a gap
    import numpy as np
    import pandas as pd

    from rotation.report.plotting import weekly

    index = pd.bdate_range("2023-01-02", "2025-12-31")
    frame = pd.DataFrame(
        {"a": np.arange(len(index), dtype=float), "b": 1.0}, index=index
    )
    frame.loc["2025-07-04"] = np.nan
    points = weekly(frame)
    assert pd.Timestamp("2025-07-03") in points.index
    assert pd.Timestamp("2025-07-04") not in points.index
    assert not points.isna().all(axis=1).any()
    series = weekly(frame["a"])
    assert series.loc["2025-07-03"] == frame.loc["2025-07-03", "a"]
    assert series.index.max() == index.max()  # never a later date


def test_unchanged_rerun_reuses_the_report(tmp_path_factory, tmp_path):
    # same data, thesis, settings and code: the sections come back from the
    # results cache and the files are the bytes a full rebuild writes (apart
    # from the generation time and the timings)
    store = str(tmp_path_factory.mktemp("reuse") / "rotation.duckdb")
    args = ["report", "--store", store, "--only", "fed", "--only", "coverage"]
    outputs = []
    for i in range(3):
        out = tmp_path / f"run{i}.html"
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        html = re.sub(r"generated [^·]* UTC", "generated -", out.read_text())
        text = out.with_suffix(".json").read_text()
        text = re.sub(r'"timings_s": \{[^}]*\}', '"timings_s": {}', text)
        outputs.append((html, text, "2 of 2 sections reused" in result.output))
    assert [reused for _, _, reused in outputs] == [False, True, True]
    assert outputs[0][:2] == outputs[1][:2] == outputs[2][:2]
