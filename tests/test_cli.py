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
    coverage = {row["id"]: row for row in payload["sections"]["coverage"]["table"]}
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
    flags = json.loads(result.stdout)
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


def test_thesis_check_json_is_the_analysis_part(store_path, analysis):
    # the CLI prints the thesis_check part of the Analysis: the same health and
    # pillars as report.json and /api/thesis/status (the bundled data, default
    # thesis), and regime_prob("rotation") is fed from the one regime fit
    result = runner.invoke(
        app, ["thesis", "check", "--store", store_path, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    part = analysis.thesis_check
    assert body["as_of"] == str(part.as_of.date())
    assert body["health"] == part.health == 0.59375
    assert body["n_holding"] == 11 and body["n_with_data"] == 18
    assert [(p["id"], p["status"]) for p in body["pillars"]] == [
        (p.id, p.status) for p in part.pillars
    ]
    regime = next(p for p in body["pillars"] if p["id"] == "rotation_regime")
    assert regime["status"] in {"holds", "fails"}


def test_risk_json_is_the_part_json(store_path, analysis):
    # One invocation: the thesis book's VaR is the report's (window 1,000
    # days, the analysis setting), and --scenario only filters what is printed.
    from rotation.analysis import to_jsonable

    result = runner.invoke(
        app,
        [
            "risk",
            "--store",
            store_path,
            "--scenario",
            "copper_cliff",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    expected = to_jsonable(analysis.risk)
    for key in ("var", "cvar", "var_table", "var_window", "calibration", "book"):
        assert printed[key] == expected[key], key
    assert [s["name"] for s in printed["scenarios"]] == ["copper_cliff"]
    assert printed["scenarios"][0] == expected["scenarios"][2]


def test_backtest_json_is_the_part_json(store_path, analysis):
    # One invocation: the default thesis's relative_momentum has the report's
    # CAGR, Sharpe and max drawdown because both print analysis.backtests.
    from rotation.analysis import to_jsonable

    result = runner.invoke(app, ["backtest", "--store", store_path, "--format", "json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == json.loads(json.dumps(to_jsonable(analysis.backtests)))
    sheet = printed["strategies"]["relative_momentum"]["tear_sheet"]
    assert sheet["start"] == "1998-12-22"


def test_thesis_backtest_of_a_custom_thesis(store_path, custom_analyses):
    from pathlib import Path

    from rotation.analysis import to_jsonable

    path = Path(__file__).resolve().parents[1] / "theses/examples/semis_capex.yaml"
    result = runner.invoke(
        app,
        ["thesis", "backtest", str(path), "--store", store_path, "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    expected = to_jsonable(custom_analyses["semis_capex"].backtests)
    assert printed["strategies"] == json.loads(json.dumps(expected["strategies"]))
    assert set(printed["strategies"]) == {"thesis_tilt", "book"}
    assert printed["sweep"] is None


def test_regimes_json_is_the_part_json(store_path, custom_analyses):
    # One invocation: P(semis lead) and the episodes printed by the CLI are the
    # part report.json and /api/regimes hold (the same to_jsonable encoding).
    from pathlib import Path

    from rotation.analysis import to_jsonable

    path = Path(__file__).resolve().parents[1] / "theses/examples/semis_capex.yaml"
    result = runner.invoke(
        app,
        ["regimes", "--store", store_path, "--thesis", str(path), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    expected = to_jsonable(custom_analyses["semis_capex"].regimes)
    assert printed == json.loads(json.dumps(expected))
    assert printed["current"]["state"] in ("semis lead", "semis lag")


def test_regimes_bad_refit_lists_the_allowed_values(store_path):
    result = runner.invoke(app, ["regimes", "--store", store_path, "--refit", "Z"])
    assert result.exit_code == 2
    assert "regimes.refit" in result.output and "W, M, Q, Y" in result.output


def test_report_parts_from_the_second_core_equal_the_sequential_report(
    tmp_path, monkeypatch
):
    # Two fresh stores: one report computes regimes, backtests and risk in a
    # fork on the second core (the default on Linux), one in this process.
    payloads = {}
    for mode in ("1", "0"):
        monkeypatch.setenv("ROTATION_PARALLEL_PARTS", mode)
        out = tmp_path / f"report-{mode}.html"
        only = ["--only", "regimes", "--only", "backtest", "--only", "risk"]
        result = runner.invoke(
            app,
            ["report", "--store", str(tmp_path / f"s{mode}.duckdb"), "--out", str(out)]
            + ["--as-of", "2021-12-31", *only],
        )
        assert result.exit_code == 0, result.output
        payloads[mode] = json.loads(out.with_suffix(".json").read_text())["sections"]
    assert set(payloads["1"]) == {"regimes", "backtest", "risk"}
    assert payloads["1"] == payloads["0"]
