"""``rotation regimes``: the regimes part of the Analysis, as a table or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from rotation.cli._common import (
    AsOfOpt,
    FormatOpt,
    OutputFormat,
    SettingOpt,
    StoreOpt,
    ThesisOpt,
    _frame_table,
    app,
    console,
    emit_json,
    load_analysis,
    parse_settings,
)

if TYPE_CHECKING:
    from rotation.analysis import Regimes

__all__ = ["regimes"]

RefitOpt = Annotated[
    str | None,
    typer.Option(
        "--refit",
        help="Refit frequency W, M, Q or Y, or a number of weekly blocks "
        "(the setting regimes.refit; default Q).",
    ),
]


@app.command()
def regimes(
    store: StoreOpt = None,
    thesis: ThesisOpt = None,
    as_of: AsOfOpt = None,
    setting: SettingOpt = None,
    refit: RefitOpt = None,
    output: FormatOpt = OutputFormat.table,
) -> None:
    """Regimes of the thesis's core spread: P(long leads), episodes, score.

    The same numbers as the report's regimes section and ``/api/regimes``
    (``--format json`` prints exactly that JSON).
    """
    from rotation.analysis import Omitted

    settings = parse_settings(setting)
    if refit is not None:
        settings["regimes.refit"] = refit
    part = load_analysis(store, thesis, as_of, settings).regimes
    if output is OutputFormat.json:
        emit_json(part)
        return
    if isinstance(part, Omitted):
        console.print(f"regimes not shown for this thesis: {part.reason}")
        return
    _print_tables(part)


def _print_tables(part: Regimes) -> None:
    from rotation.analysis import Omitted

    current, model = part.current, part.model
    probabilities = ", ".join(f"{k} {v:.2f}" for k, v in current.probabilities.items())
    console.print(
        f"{part.long} ({'+'.join(part.long_members)}) vs {part.short} "
        f"({'+'.join(part.short_members)}) as of [bold]{current.date.date()}[/]: "
        f"most likely [bold]{current.state}[/] ({probabilities}); "
        f"{model['refits']} refits ({model['refit']}), {part.failed_refits} "
        "did not converge (last good fit kept)",
        highlight=False,
    )
    _print_episodes(part)
    changes = part.change_points
    latest = changes.latest_alarm.date() if changes.latest_alarm is not None else "none"
    console.print(
        f"change points (BOCPD): latest alarm {latest}, {changes.n_alarms} alarms, "
        f"run length {changes.map_run_length} sessions",
        highlight=False,
    )
    if isinstance(part.score, Omitted):
        console.print(f"no composite score: {part.score.reason}")
        return
    title = f"composite score {part.score.score:+.2f} as of {part.score.date.date()}"
    console.print(_frame_table(pd.DataFrame(part.score.components), title))


def _print_episodes(part: Regimes) -> None:
    episodes = part.episodes.tail(15)
    core = ["regime", "start", "end", "length", "spread_return"]
    table = episodes[core].assign(
        start=episodes["start"].dt.date,
        end=episodes["end"].dt.date,
        spread_return=(100.0 * episodes["spread_return"]).round(1),
    )
    console.print(
        _frame_table(
            table.rename(columns={"spread_return": "spread %"}),
            "regime episodes (latest 15)",
        )
    )
    members = [c for c in episodes.columns if c not in core]
    if members:
        latest = episodes.tail(4)
        frame = (100.0 * latest[members].T).round(1)
        frame.columns = [
            f"{r} from {d.date()}"
            for r, d in zip(latest["regime"], latest["start"], strict=True)
        ]
        console.print(
            _frame_table(
                frame.rename_axis("member").reset_index(),
                "universe members, % per episode",
            )
        )
