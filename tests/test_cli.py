"""The CLI end to end on a temporary store (bundled data, offline)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from rotation.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cli") / "rotation.duckdb")


def test_report_writes_self_contained_html_and_json(store_path, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(
        app,
        [
            "report",
            "--store",
            store_path,
            "--out",
            str(out),
            "--only",
            "coverage",
            "--only",
            "prices",
            "--only",
            "fed",
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    # Opens offline: no external script, stylesheet or image (plotly.js itself
    # mentions cdn.plot.ly for geo maps, which the report does not use).
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", html)
    assert "Plotly" in html and "Data coverage" in html
    payload = json.loads(out.with_suffix(".json").read_text())
    assert payload["meta"]["as_of"] == "2026-08-03"
    assert payload["sections"]["fed"]["upper"] == pytest.approx(3.75)
    coverage = {row["id"]: row for row in payload["sections"]["coverage"]["coverage"]}
    assert coverage["SPY"]["last"] == "2026-08-03" and coverage["CPIAUCSL"][
        "unit"
    ].startswith("index")


def test_report_as_of_uses_only_data_known_then(store_path, tmp_path):
    out = tmp_path / "past.json"
    result = runner.invoke(
        app,
        [
            "report",
            "--store",
            store_path,
            "--out",
            str(out),
            "--format",
            "json",
            "--as-of",
            "2024-01-02",
            "--only",
            "fed",
            "--only",
            "coverage",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["sections"]["fed"]["upper"] == pytest.approx(5.50)
    assert payload["sections"]["fed"]["latest_sep"] == "2023-12-13"


def test_data_check_lists_cper(store_path):
    result = runner.invoke(app, ["data", "check", "--store", store_path, "--json"])
    assert result.exit_code == 0, result.output
    flags = json.loads(result.output)
    assert {("CPER", "2014-12-05"), ("CPER", "2015-02-03")} <= {
        (f["symbol"], f["date"][:10]) for f in flags
    }


def test_data_show_point_in_time(store_path):
    result = runner.invoke(
        app,
        [
            "data",
            "show",
            "CPIAUCSL",
            "--store",
            store_path,
            "--as-of",
            "2026-05-31",
            "--tail",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2026-04-01" in result.output and "2026-05-01" not in result.output


def test_ingest_bad_file_is_rejected_with_rows(store_path, tmp_path):
    bad = tmp_path / "XYZ.csv"
    bad.write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.5,10\n"
        "2024-01-03,1,2,0.5,-3,1.5,10\nnot-a-date,1,2,0.5,1.5,1.5,10\n"
    )
    result = runner.invoke(app, ["data", "ingest", str(bad), "--store", store_path])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "row 3" in text and "price must be positive" in text
    assert "row 4" in text and "does not parse" in text
    listing = runner.invoke(app, ["data", "list", "--store", store_path])
    assert "XYZ" not in listing.output


def test_thesis_check_feeds_the_regime_pillar(store_path):
    # the CLI evaluates regime_prob("rotation") from the report's regime fit,
    # so the pillar has a value here as it does in the report
    result = runner.invoke(app, ["thesis", "check", "--store", store_path])
    assert result.exit_code == 0, result.output
    # rich may wrap the id on a narrow test console: match its first part
    line = next(row for row in result.output.splitlines() if "rotation_r" in row)
    assert "no_data" not in line and re.search(r"\b(holds|fails)\b", line), line
