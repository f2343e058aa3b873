"""``rotation risk``: the risk part of the Analysis (thesis book, thesis risks)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from rotation.cli._common import (
    AsOfOpt,
    FormatOpt,
    OutputFormat,
    SettingOpt,
    StoreOpt,
    ThesisOpt,
    _fail,
    _frame_table,
    app,
    console,
    emit_json,
    load_analysis,
    parse_settings,
)
from rotation.exceptions import RotationError

if TYPE_CHECKING:
    from rotation.analysis import RiskPart

__all__ = ["risk"]

WeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="Override the thesis book: SYMBOL=WEIGHT,... (fractions of capital, "
        "negative = short); the risk.weights setting, as on the dashboard.",
    ),
]
ScenarioOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--scenario",
        help="Print only these scenarios of the thesis (default: all of them).",
    ),
]


def _only_scenarios(part: RiskPart, names: list[str] | None) -> RiskPart:
    """Keep only the named scenarios (what is printed; nothing is recomputed)."""
    if not names:
        return part
    known = [s.name for s in part.scenarios]
    missing = sorted(set(names) - set(known))
    if missing:
        _fail(
            RotationError(
                f"unknown scenario(s) {missing}; the thesis defines "
                f"{', '.join(known) or 'none'}"
            )
        )
    kept = tuple(s for s in part.scenarios if s.name in names)
    return dataclasses.replace(part, scenarios=kept)


def _scenario_rows(part: RiskPart) -> pd.DataFrame:
    rows: list[dict[str, Any]] = [
        {
            "scenario": s.name,
            "P&L": s.pnl,
            "R2": None if s.exposure is None else s.exposure.r_squared,
            "window": ""
            if s.exposure is None
            else f"{s.exposure.start}..{s.exposure.end}",
            "shocks": ", ".join(f"{k} {v:+g}" for k, v in s.shocks.items()),
            "error": s.error,
        }
        for s in part.scenarios
    ]
    return pd.DataFrame(rows)


def _print_tables(part: RiskPart) -> None:
    book = part.book
    weights = ", ".join(f"{k} {v:+.3g}" for k, v in book.weights.items())
    console.print(f"book ({book.source}): {book.label}: {weights}")
    if part.scenarios:
        console.print(
            _frame_table(_scenario_rows(part), "scenarios (P&L, fraction of capital)")
        )
    else:
        console.print(part.scenarios_note)
    replays = part.replays.drop(columns=["description"], errors="ignore")
    console.print(_frame_table(replays, "historical replays"))
    table = part.var_table[["method", "level", "horizon", "var", "cvar"]]
    console.print(
        _frame_table(table, f"VaR / CVaR, last {part.var_window} daily returns")
    )
    calibration = pd.DataFrame(
        [
            {
                "model": c.method,
                "days": c.n_observations,
                "exceedances": c.n_exceedances,
                "p_value": c.p_value,
                "rejected": c.rejected_at_5pct,
            }
            for c in part.calibration.values()
        ]
    )
    console.print(_frame_table(calibration, "VaR calibration (Kupiec)"))
    if part.factors is not None:
        betas = part.factors.attribution.table[["coef", "t_value", "contribution"]]
        betas = betas.rename_axis("factor").reset_index()
        console.print(_frame_table(betas, "Fama-French exposures"))
    if part.regime_risk is not None:
        console.print(_frame_table(part.regime_risk.table, "risk by regime"))
    if part.summary:
        console.print(part.summary, soft_wrap=True)


@app.command("risk")
def risk(
    store: StoreOpt = None,
    thesis: ThesisOpt = None,
    as_of: AsOfOpt = None,
    weights: WeightsOpt = None,
    scenario: ScenarioOpt = None,
    setting: SettingOpt = None,
    output: FormatOpt = OutputFormat.table,
) -> None:
    """Risk of the thesis's book under the thesis's risks: scenarios, replays, VaR.

    The same numbers as the report's risk section and ``/api/risk``.
    """
    from rotation.analysis import Omitted

    settings: dict[str, Any] = parse_settings(setting)
    if weights:
        settings["risk.weights"] = weights
    analysis = load_analysis(store, thesis, as_of, settings)
    try:
        part = analysis.risk
    except (RotationError, ValueError) as exc:
        _fail(exc)
        raise  # unreachable: _fail exits
    if isinstance(part, Omitted):
        if output is OutputFormat.json:
            emit_json(part)
        else:
            console.print(f"Not shown for this thesis: {part.reason}")
        return
    part = _only_scenarios(part, scenario)
    if output is OutputFormat.json:
        emit_json(part)
        return
    _print_tables(part)
