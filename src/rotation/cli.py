"""The ``rotation`` command line: a thin shell over the store, report and core.

Every command works offline on the bundled dataset; ``data update --source
yfinance|fred`` needs the ``[live]`` extra and the network.
"""

from __future__ import annotations

import json
import time
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from rotation.data.store import PriceField
from rotation.exceptions import RotationError, ValidationError
from rotation.universe import SECTOR_SPDRS

PRICE_FIELDS: tuple[PriceField, ...] = (
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
)


app = typer.Typer(
    help="Turn a market-rotation thesis into code, checked against real data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
data_app = typer.Typer(
    help="Inspect and load the point-in-time data store.", no_args_is_help=True
)
app.add_typer(data_app, name="data")
thesis_app = typer.Typer(
    help="Check a thesis against the data: now, over history, and what acting on it did.",
    no_args_is_help=True,
)
app.add_typer(thesis_app, name="thesis")
console = Console()
err = Console(stderr=True)

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="DuckDB store file "
        "(default $ROTATION_STORE or ~/.local/share/rotation/rotation.duckdb).",
    ),
]


class Format(StrEnum):
    """Report output formats."""

    html = "html"
    json = "json"
    md = "md"


class Source(StrEnum):
    """Where ``data update`` fetches from."""

    bundled = "bundled"
    yfinance = "yfinance"
    fred = "fred"


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        yield progress


def _open(store_path: Path | None, *, read_only: bool = False):
    from rotation.data.store import open_store

    return open_store(store_path, read_only=read_only)


def _fail(exc: Exception) -> None:
    err.print(
        f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True
    )
    raise typer.Exit(2)


def _frame_table(frame: pd.DataFrame, title: str = "", *, max_rows: int = 60) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in frame.columns:
        justify = "right" if pd.api.types.is_numeric_dtype(frame[col]) else "left"
        table.add_column(str(col), justify=justify)  # type: ignore[arg-type]
    for _, row in frame.head(max_rows).iterrows():
        table.add_row(
            *[
                ("" if pd.isna(v) else f"{v:,.4g}" if isinstance(v, float) else str(v))
                for v in row
            ]
        )
    if len(frame) > max_rows:
        table.caption = f"{len(frame) - max_rows} more rows not shown"
    return table


@app.command()
def report(
    store: StoreOpt = None,
    thesis: Annotated[
        Path | None,
        typer.Option(help="Thesis YAML (default: the Great 2026 Rotation)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Report date; only data known then is used."),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Output file (its suffix is replaced per format).")
    ] = Path("report.html"),
    fmt: Annotated[
        Format,
        typer.Option("--format", help="html writes report.html and report.json."),
    ] = Format.html,
    only: Annotated[
        list[str] | None, typer.Option(help="Build only these section ids.")
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the HTML report when done.")
    ] = False,
) -> None:
    """Build the report on the store (loading the bundled data on first use)."""
    from rotation.data.ingest import ensure_bundled
    from rotation.report.builder import build_report
    from rotation.report.context import make_context
    from rotation.report.render import (
        render_html,
        render_json,
        render_markdown,
        to_jsonable,
    )
    from rotation.report.summary import tiles

    start = time.perf_counter()
    try:
        st = _open(store)
        with _progress() as progress:
            task = progress.add_task("opening the store", total=3)
            loaded = ensure_bundled(
                st,
                progress=lambda name: progress.update(
                    task, description=f"loading bundled {name}", advance=1
                ),
            )
            progress.update(task, completed=3)
            progress.update(task, description="preparing point-in-time data")
            thesis_key = str(thesis.resolve()) if thesis else "great_rotation_2026"
            previous = st.previous_report(thesis_key, as_of=as_of)
            options: dict[str, Any] = {"store": st}
            if previous is not None:
                options["previous_report"] = {
                    "as_of": previous["as_of"],
                    "headline": previous["payload"],
                }
            ctx = make_context(st, as_of=as_of, thesis_path=thesis, options=options)
            cut = ctx.as_of
            from rotation.report.builder import SECTIONS

            wanted = [s for s in SECTIONS if not only or s[0] in only]
            task = progress.add_task("building sections", total=len(wanted))
            built = build_report(
                ctx,
                sections=wanted,
                summary=not only,  # a summary of some sections would mislead
                progress=lambda sid: progress.update(
                    task, description=f"section {sid}", advance=1
                ),
            )
    except (RotationError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
        return
    meta = {
        "store": str(st.path),
        "thesis": str(thesis) if thesis else "great_rotation_2026 (default)",
        "bundled_loaded_now": loaded,
    }
    summary = next((sec for sec in built.sections if sec.id == "summary"), None)
    headline_now = summary.data["headline"] if summary is not None else None
    previous_headline = (ctx.options.get("previous_report") or {}).get("headline")
    headline_tiles = tiles(headline_now, previous_headline) if headline_now else []
    written = []
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is Format.html:
        html_path, json_path = out.with_suffix(".html"), out.with_suffix(".json")
        html_path.write_text(
            render_html(
                built,
                title="rotation — the Great 2026 Rotation, checked",
                headline=headline_tiles,
            ),
            encoding="utf-8",
        )
        json_path.write_text(render_json(built, meta=meta), encoding="utf-8")
        written = [html_path, json_path]
    elif fmt is Format.json:
        path = out.with_suffix(".json")
        path.write_text(render_json(built, meta=meta), encoding="utf-8")
        written = [path]
    else:
        path = out.with_suffix(".md")
        path.write_text(render_markdown(built), encoding="utf-8")
        written = [path]
    table = Table(title=f"rotation report as of {cut.date()}", header_style="bold")
    table.add_column("section")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    failed = {f.id: f.error for f in built.failures}
    for section in built.sections:
        status = (
            f"[red]failed: {failed[section.id]}[/]"
            if section.id in failed
            else "[green]ok[/]"
        )
        table.add_row(section.title, status, f"{built.timings[section.id]:.2f}")
    console.print(table)
    for path in written:
        console.print(f"wrote [bold]{path}[/] ({path.stat().st_size / 1e6:.1f} MB)")
    console.print(f"done in {time.perf_counter() - start:.1f} s")
    if headline_now and not built.failures:
        st.record_report(cut, thesis_key, json.dumps(to_jsonable(headline_now)))
    if open_browser and written:
        webbrowser.open(written[0].resolve().as_uri())
    if built.failures:
        raise typer.Exit(1)


@data_app.command("list")
def data_list(store: StoreOpt = None) -> None:
    """List every stored symbol and series with its coverage."""
    from rotation.data.ingest import ensure_bundled

    st = _open(store)
    ensure_bundled(st)
    console.print(_frame_table(st.coverage(), "coverage", max_rows=500))


@data_app.command("show")
def data_show(
    symbol: Annotated[
        str, typer.Argument(help="Symbol (SPY, HG=F) or series id (CPIAUCSL).")
    ],
    store: StoreOpt = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Point-in-time view.")
    ] = None,
    tail: Annotated[int, typer.Option(help="Rows to show.")] = 15,
) -> None:
    """Show the latest values of one symbol or series."""
    from rotation.data.ingest import ensure_bundled

    st = _open(store)
    ensure_bundled(st)
    try:
        if symbol in st.symbols():
            frame = pd.DataFrame(
                {f: st.prices(symbol, end=as_of, field=f)[symbol] for f in PRICE_FIELDS}
            )
        else:
            frame = st.series(symbol, as_of=as_of).to_frame()
    except RotationError as exc:
        _fail(exc)
        return
    console.print(
        _frame_table(
            frame.tail(tail).reset_index(), f"{symbol} (as of {as_of or 'latest'})"
        )
    )


@data_app.command("ingest")
def data_ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files.")],
    store: StoreOpt = None,
    kind: Annotated[
        str | None,
        typer.Option(help="prices | observations | famafrench | dots (auto)."),
    ] = None,
    symbol: Annotated[
        str | None, typer.Option(help="Symbol for a one-instrument price file.")
    ] = None,
    series_id: Annotated[
        str | None, typer.Option("--series-id", help="Series id for a date/value file.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite conflicting stored values.")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(help="Source label stored with the rows (default: file name)."),
    ] = None,
) -> None:
    """Validate and load files, each all-or-nothing."""
    from rotation.data.ingest import ingest_path

    st = _open(store)
    table = Table(title="ingest", header_style="bold")
    for col in (
        "file",
        "rows",
        "inserted",
        "filled",
        "replaced",
        "unchanged",
        "skipped",
        "flags",
    ):
        table.add_column(col, justify="left" if col == "file" else "right")
    failed = False
    with _progress() as progress:
        task = progress.add_task("ingesting", total=len(paths))
        for path in paths:
            progress.update(task, description=f"ingesting {path.name}")
            try:
                rep = ingest_path(
                    st,
                    path,
                    kind=kind,  # type: ignore[arg-type]  # validated by ingest_path
                    symbol=symbol,
                    series_id=series_id,
                    replace=replace,
                    source=source,
                )
            except (ValidationError, FileNotFoundError) as exc:
                err.print(f"[bold red]rejected[/] {exc}", markup=True, highlight=False)
                failed = True
                continue
            finally:
                progress.advance(task)
            table.add_row(
                str(path),
                *(
                    f"{v:,}"
                    for v in (
                        rep.rows,
                        rep.inserted,
                        rep.filled,
                        rep.replaced,
                        rep.unchanged,
                        rep.skipped_missing,
                        len(rep.flags),
                    )
                ),
            )
    console.print(table)
    if failed:
        raise typer.Exit(2)


@data_app.command("update")
def data_update(
    store: StoreOpt = None,
    source: Annotated[
        Source, typer.Option(help="bundled (offline), yfinance or fred.")
    ] = Source.bundled,
    symbols: Annotated[
        list[str] | None,
        typer.Option("--symbol", help="Symbols or series ids to fetch."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First date to fetch (live sources).")
    ] = None,
) -> None:
    """Refresh the store from a source (bundled by default)."""
    from rotation.data.ingest import load_bundled

    st = _open(store)
    if source is Source.bundled:
        with _progress() as progress:
            task = progress.add_task("loading bundled data", total=3)
            reports = load_bundled(
                st,
                progress=lambda n: progress.update(
                    task, advance=1, description=f"loading bundled {n}"
                ),
            )
    else:
        from rotation.data.sources.live import update_from_live

        try:
            reports = update_from_live(st, source.value, symbols or [], start=start)
        except RotationError as exc:
            _fail(exc)
            return
    for rep in reports:
        console.print(
            f"{rep.file}: {rep.inserted:,} inserted, {rep.filled:,} filled, "
            f"{rep.unchanged:,} unchanged"
        )


@data_app.command("check")
def data_check(
    store: StoreOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Data-quality table: suspicious moves (flagged, never dropped) and quarantine state."""
    from rotation.data.ingest import ensure_bundled

    st = _open(store)
    ensure_bundled(st)
    flags = st.check()
    if as_json:
        console.print_json(json.dumps(flags.astype(str).to_dict(orient="records")))
        return
    flags = flags.assign(
        date=flags["date"].dt.date, suspect_date=flags["suspect_date"].dt.date
    )
    console.print(_frame_table(flags, "data quality: flagged moves", max_rows=200))
    console.print(
        f"{len(flags)} flags, {int(flags['quarantined'].sum())} quarantined. "
        "Quarantine a bad tick with `rotation data quarantine SYMBOL DATE --reason ...`."
    )


@data_app.command("quarantine")
def data_quarantine(
    symbol: str,
    date: str,
    store: StoreOpt = None,
    reason: Annotated[
        str, typer.Option(help="Why this point is excluded.")
    ] = "flagged by user",
    remove: Annotated[
        bool, typer.Option("--remove", help="Release the point instead.")
    ] = False,
) -> None:
    """Exclude one price point from analytics (or release it with --remove)."""
    st = _open(store)
    try:
        if remove:
            st.release(symbol, date)
        else:
            st.quarantine(symbol, date, reason)
    except RotationError as exc:
        _fail(exc)
    console.print(f"{'released' if remove else 'quarantined'} {symbol} {date}")


ThesisArg = Annotated[
    Path | None, typer.Argument(help="Thesis YAML (default: the Great 2026 Rotation).")
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate with data known at this date.")
]


def _thesis_and_market(store: Path | None, path: Path | None, as_of: str | None = None):
    from rotation.data.ingest import ensure_bundled
    from rotation.thesis_files import load_thesis_file

    try:
        thesis = load_thesis_file(path)
        st = _open(store)
        ensure_bundled(st)
        return thesis, st.market_data(as_of)
    except (RotationError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


def _status_style(status: str) -> str:
    return {"holds": "green", "fails": "red"}.get(status, "dim")


@thesis_app.command("check")
def thesis_check(
    path: ThesisArg = None, store: StoreOpt = None, as_of: AsOfOpt = None
) -> None:
    """Evaluate every pillar and the health score as of one date."""
    from rotation.thesis import evaluate

    thesis, market = _thesis_and_market(store, path, as_of)
    result = evaluate(thesis, market)
    frame = result.to_frame()
    table = Table(
        title=f"{thesis.meta.title} — as of {market.as_of.date()}", header_style="bold"
    )
    for col in ("pillar", "status", "value", "rule", "since", "claimed"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for pid, row in frame.iterrows():
        style = _status_style(str(row["status"]))
        value = "" if pd.isna(row["value"]) else f"{row['value']:.4g}"
        since = "" if pd.isna(row["since"]) else str(pd.Timestamp(row["since"]).date())
        claimed = "" if pd.isna(row["claimed"]) else str(row["claimed"])
        table.add_row(
            str(pid),
            f"[{style}]{row['status']}[/]",
            value,
            str(row["rule"]),
            since,
            claimed[:40],
        )
    console.print(table)
    console.print(result.summary().splitlines()[1])


@thesis_app.command("history")
def thesis_history(
    path: ThesisArg = None,
    store: StoreOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the daily table to CSV.")
    ] = None,
) -> None:
    """Every pillar's value and status and the health score, every day."""
    from rotation.thesis import history

    thesis, market = _thesis_and_market(store, path)
    hist = history(thesis, market)
    if out is not None:
        hist.to_frame().to_csv(out)
        console.print(f"wrote [bold]{out}[/] ({len(hist.health):,} days)")
    health = hist.health.dropna()
    yearly = health.groupby(pd.DatetimeIndex(health.index).year).mean()
    frame = yearly.rename("mean health").to_frame().reset_index(names="year")
    console.print(_frame_table(frame.tail(30), "health by year (mean of daily scores)"))


@thesis_app.command("diff")
def thesis_diff(
    start: Annotated[str, typer.Argument(help="First date.")],
    end: Annotated[
        str | None, typer.Argument(help="Second date (default: last).")
    ] = None,
    path: Annotated[Path | None, typer.Option("--thesis", help="Thesis YAML.")] = None,
    store: StoreOpt = None,
) -> None:
    """Pillars whose status flipped between two dates, with the values that crossed."""
    from rotation.thesis import diff

    thesis, market = _thesis_and_market(store, path)
    result = diff(thesis, market, start, end)
    console.print(
        _frame_table(result.to_frame().reset_index(), result.summary().splitlines()[0])
    )


@thesis_app.command("backtest")
def thesis_backtest(
    path: ThesisArg = None,
    store: StoreOpt = None,
    level: Annotated[
        float | None, typer.Option(help="Health threshold (default from the file).")
    ] = None,
) -> None:
    """Event study: forward returns of the long vs short basket when health is high."""
    from rotation.thesis import thesis_event_study

    thesis, market = _thesis_and_market(store, path)
    with _progress() as progress:
        progress.add_task("event study over the full history", total=None)
        studies = thesis_event_study(thesis, market, level=level)
    for name, study in studies.items():
        console.print(_frame_table(study.table.reset_index(), f"{name}: {study.name}"))
        console.print(f"{len(study.episodes)} episodes")


@thesis_app.command("lint")
def thesis_lint(
    path: Annotated[Path, typer.Argument(help="Thesis YAML to check.")],
    store: StoreOpt = None,
) -> None:
    """Validate a thesis file: schema, expressions, and names against the store."""
    from rotation.thesis import evaluate

    thesis, market = _thesis_and_market(store, path)
    result = evaluate(thesis, market)
    frame = result.to_frame()
    missing = frame[frame["status"] == "no_data"]
    console.print(
        f"[green]ok[/]: {path} parses; {len(frame)} pillars, "
        f"{len(missing)} without data on {market.as_of.date()}"
    )
    for pid, row in missing.iterrows():
        console.print(f"  [dim]no data[/] {pid}: {row['reason']}")


def _parse_weights(text: str) -> dict[str, float]:
    weights = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            weights[name.strip().upper()] = float(value)
        except ValueError:
            raise typer.BadParameter(
                f"--weights takes SYMBOL=WEIGHT pairs separated by commas (got {part!r})"
            ) from None
    return weights


@app.command()
def risk(
    store: StoreOpt = None,
    weights: Annotated[
        str | None,
        typer.Option(
            help="Portfolio as SYMBOL=WEIGHT,... (default: +1/3 XLI XLB XLE, -1 XLK)."
        ),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(help="Scenario names to run (default: all of the thesis)."),
    ] = None,
    thesis: Annotated[
        Path | None, typer.Option(help="Thesis YAML whose risks to apply.")
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Scenarios, historical replays and VaR/CVaR of a portfolio."""
    from rotation.risk import (
        ROTATION_WEIGHTS,
        Scenario,
        equity_sessions,
        historical_replay,
        run_scenarios,
        scenario_factors,
        session_returns,
        var_table,
    )

    spec, market = _thesis_and_market(store, thesis, as_of)
    book = _parse_weights(weights) if weights else dict(ROTATION_WEIGHTS)
    unknown = sorted(set(book) - set(market.prices.columns))
    if unknown:
        _fail(RotationError(f"unknown symbol(s) in --weights: {', '.join(unknown)}"))
    scenarios = [Scenario.from_dict(d) for d in spec.scenarios()]
    if scenario:
        known = {sc.name for sc in scenarios}
        missing = sorted(set(scenario) - known)
        if missing:
            _fail(
                RotationError(
                    f"unknown scenario(s) {missing}; the thesis defines {sorted(known)}"
                )
            )
        scenarios = [sc for sc in scenarios if sc.name in scenario]
    returns = session_returns(market.prices, equity_sessions(market))
    with _progress() as progress:
        progress.add_task("estimating exposures and VaR", total=None)
        results = run_scenarios(returns, scenario_factors(market), scenarios, book)
        replays = historical_replay(returns, book)
        var = var_table(returns, book, horizons=(1, 10))
    console.print(f"portfolio: {', '.join(f'{k} {v:+.3g}' for k, v in book.items())}")
    rows = [
        {
            "scenario": r.scenario.name,
            "P&L": r.pnl,
            "R2": r.exposure.r_squared,
            "window": f"{r.exposure.start}..{r.exposure.end}",
            "shocks": ", ".join(f"{k} {v:+g}" for k, v in r.scenario.shocks.items()),
        }
        for r in results
    ]
    console.print(
        _frame_table(pd.DataFrame(rows), "scenarios (P&L as a fraction of gross)")
    )
    console.print(
        _frame_table(
            replays.drop(columns=["description"], errors="ignore"), "historical replays"
        )
    )
    console.print(
        _frame_table(var[["method", "level", "horizon", "var", "cvar"]], "VaR / CVaR")
    )


@app.command()
def regimes(
    store: StoreOpt = None,
    as_of: AsOfOpt = None,
    refit: Annotated[str, typer.Option(help="Refit frequency: W, M, Q or Y.")] = "Q",
) -> None:
    """Rotation regime as known on a date: filtered probability, score, episodes."""
    import warnings

    from rotation.regimes import (
        MarkovRegimes,
        RegimeConvergenceWarning,
        basket_spread_returns,
        regime_episodes,
        rotation_components,
        rotation_score,
    )
    from rotation.report.sections.regimes import MIN_EPISODE_SESSIONS, MODEL_PARAMS

    _, market = _thesis_and_market(store, None, as_of)
    spread = basket_spread_returns(market.prices, ("XLI", "XLB", "XLE"), ("XLK",))
    with _progress() as progress, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RegimeConvergenceWarning)
        progress.add_task("fitting Markov regimes on expanding windows", total=None)
        model = MarkovRegimes(**{**MODEL_PARAMS, "refit": refit}).fit(spread)
        score = rotation_score(rotation_components(market))
    current = model.result_.current
    probs = ", ".join(f"{k} {v:.2f}" for k, v in current["probabilities"].items())
    console.print(
        f"as of [bold]{current['date']}[/]: most likely regime "
        f"[bold]{current['regime']}[/] ({probs}); composite rotation score "
        f"{score.current['score']:+.2f}; {len(model.fits_)} refits, "
        f"{len(caught)} convergence warnings (last good fit kept)"
    )
    episodes = regime_episodes(model.regime_, spread, min_length=MIN_EPISODE_SESSIONS)
    console.print(_frame_table(episodes.tail(15), "regime episodes (latest 15)"))


class Strategy(StrEnum):
    """Strategies ``rotation backtest`` runs."""

    relative_momentum = "relative_momentum"
    dual_momentum = "dual_momentum"
    thesis_tilt = "thesis_tilt"
    equal_weight = "equal_weight"
    buy_and_hold = "buy_and_hold"


def _parse_params(items: list[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--param takes KEY=VALUE (got {item!r})")
        if "," in value:
            params[key] = [v.strip().upper() for v in value.split(",")]
            continue
        try:
            params[key] = int(value)
        except ValueError:
            try:
                params[key] = float(value)
            except ValueError:
                params[key] = value
    return params


def _cash(market: Any, index: pd.DatetimeIndex) -> pd.Series:
    from rotation.backtest import cash_returns

    return cash_returns(market.known("DFF", index=index), index=index)


@app.command("backtest")
def backtest_command(
    strategy: Annotated[
        Strategy, typer.Argument(help="Strategy to run.")
    ] = Strategy.relative_momentum,
    store: StoreOpt = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", help="Strategy parameter KEY=VALUE, e.g. lookback=126 top_k=3."
        ),
    ] = None,
    universe: Annotated[
        str,
        typer.Option(help="Comma-separated symbols (default: the 11 sector SPDRs)."),
    ] = ",".join(SECTOR_SPDRS),
    cost_bps: Annotated[
        float, typer.Option(help="Costs in bps of traded value.")
    ] = 10.0,
    as_of: AsOfOpt = None,
) -> None:
    """Backtest a strategy: decide at the close of t, trade at the close of t+1."""
    from rotation.backtest import run_backtest
    from rotation.indicators import relative_return

    _, market = _thesis_and_market(store, None, as_of)
    symbols = [s.strip().upper() for s in universe.split(",") if s.strip()]
    params = _parse_params(param)
    signal = None
    if strategy is Strategy.thesis_tilt:
        params.setdefault("tangible", ["XLI", "XLB", "XLE"])
        params.setdefault("tech", ["XLK"])
        symbols = sorted(set(symbols) | set(params["tangible"]) | set(params["tech"]))
        signal = relative_return(
            market.prices[params["tangible"]], market.prices[params["tech"]], 126
        )
    if strategy is Strategy.dual_momentum:
        params.setdefault("risky", symbols)
    unknown = sorted(set(symbols) - set(market.prices.columns))
    if unknown:
        _fail(RotationError(f"unknown symbol(s) {', '.join(unknown)}"))
    prices = market.prices[symbols].dropna(how="all")
    try:
        result = run_backtest(
            strategy.value,
            prices,
            params=params,
            signal=signal,
            cash_returns=_cash(market, prices.index),
            cost_bps=cost_bps,
        )
        spy = market.prices["SPY"].reindex(prices.index)
        benchmark = run_backtest("buy_and_hold", spy.to_frame(), cost_bps=0.0)
    except (ValueError, TypeError) as exc:
        _fail(exc)
        return
    summary = result.summary(benchmark)
    frame = summary.rename("value").to_frame().reset_index(names="measure")
    frame["value"] = [
        str(pd.Timestamp(v).date())
        if isinstance(v, pd.Timestamp)
        else f"{v:.4g}"
        if isinstance(v, float)
        else str(v)
        for v in frame["value"]
    ]
    console.print(
        _frame_table(frame, f"{strategy.value} {params or ''} vs SPY buy-and-hold")
    )


@app.command()
def sweep(
    grid_file: Annotated[
        Path, typer.Argument(help="Sweep grid YAML (see examples/sweep_grid.yaml).")
    ],
    store: StoreOpt = None,
    cluster: Annotated[
        str | None,
        typer.Option(help="'local' for a Dask LocalCluster, or tcp://host:8786."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the metrics table to CSV.")
    ] = None,
    top: Annotated[int, typer.Option(help="Variants to show, best Sharpe first.")] = 15,
    keep_returns: Annotated[
        bool,
        typer.Option(
            help="Keep every variant's daily returns for the deflated Sharpe ratio "
            "(memory: variants x days x 8 bytes)."
        ),
    ] = False,
) -> None:
    """Run a parameter grid in one process or on Dask; same results either way."""
    from rotation.backtest import load_grid
    from rotation.distributed import run_sweep

    try:
        grid = load_grid(grid_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(exc)
        return
    _, market = _thesis_and_market(store, None)
    symbols = (
        list(grid.universe) if getattr(grid, "universe", None) else list(SECTOR_SPDRS)
    )
    prices = market.prices[symbols].dropna(how="all")
    start = time.perf_counter()
    with _progress() as progress:
        progress.add_task(f"sweeping on {cluster or 'this process'}", total=None)
        result = run_sweep(
            grid,
            prices,
            cash_returns=_cash(market, prices.index),
            cluster=cluster,
            keep_returns=keep_returns,
        )
    elapsed = time.perf_counter() - start
    metrics = result.metrics
    if out is not None:
        metrics.to_csv(out, index=False)
        console.print(f"wrote [bold]{out}[/]")
    best = metrics.sort_values("sharpe", ascending=False).head(top)
    console.print(
        _frame_table(
            best, f"{len(metrics):,} variants in {elapsed:.2f} s (best Sharpe first)"
        )
    )
    if keep_returns:
        console.print(
            f"deflated Sharpe of the best variant: {result.deflated_sharpe()}"
        )
    else:
        console.print("deflated Sharpe ratio: rerun with --keep-returns")


@app.command()
def serve(
    store: StoreOpt = None,
    host: Annotated[
        str, typer.Option(help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    thesis_dir: Annotated[
        Path | None,
        typer.Option(help="Folder of thesis YAML files the dashboard may offer."),
    ] = None,
    allow_writes: Annotated[
        bool,
        typer.Option(
            "--allow-writes", help="Enable ingest/update endpoints (needs --token)."
        ),
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(envvar="ROTATION_TOKEN", help="Token for write endpoints."),
    ] = None,
) -> None:
    """Run the live dashboard and JSON API (read-only unless --allow-writes)."""
    try:
        from rotation.web import serve as run_server
    except ImportError as exc:
        _fail(
            RotationError(
                f"the dashboard needs the [web] extra: pip install 'rotation[web]' ({exc})"
            )
        )
        return
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err.print(
            f"[yellow]warning:[/] binding to {host}: the dashboard is reachable from other hosts"
        )
    console.print(f"dashboard on http://{host}:{port}/  (API schema: /openapi.json)")
    try:
        run_server(
            host,
            port,
            store_path=store,
            thesis_dir=thesis_dir,
            allow_writes=allow_writes,
            token=token,
        )
    except (ValueError, FileNotFoundError) as exc:
        _fail(exc)


def main() -> None:  # pragma: no cover - console entry point
    """Run the CLI."""
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
