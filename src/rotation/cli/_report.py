"""``rotation report`` and ``rotation serve``."""

from __future__ import annotations

import json
import time
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from rotation.cli._common import (
    Format,
    StoreOpt,
    _fail,
    _open,
    _progress,
    app,
    console,
    err,
)
from rotation.exceptions import RotationError

if TYPE_CHECKING:
    from rotation.analysis import Analysis
    from rotation.data.store import Store
    from rotation.report.builder import Report


def _load_store(store: Path | None) -> tuple[Store, bool]:
    """Open the store, loading the bundled data on first use (with progress)."""
    from rotation._compile_ahead import start_compile_ahead
    from rotation.data.ingest import ensure_bundled

    start_compile_ahead()  # a first run: kernels compile beside the store load
    st = _open(store)
    with _progress() as progress:
        task = progress.add_task("opening the store", total=3)
        loaded = ensure_bundled(
            st,
            progress=lambda name: progress.update(
                task, description=f"loading bundled {name}", advance=1
            ),
        )
    return st, loaded


def _check_only(only: list[str] | None) -> None:
    from rotation.report.builder import SECTION_IDS

    unknown = [s for s in only or [] if s not in SECTION_IDS]
    if unknown:
        raise RotationError(
            f"--only {', '.join(unknown)}: unknown section; allowed: "
            f"{', '.join(SECTION_IDS)}"
        )


def _build(
    analysis: Analysis, previous: dict[str, Any] | None, only: list[str] | None
) -> Report:
    """Render the report's sections from the Analysis."""
    from rotation.report.builder import SECTIONS, build_report
    from rotation.workspace import DiskResults, compute_in_background

    wanted = [s for s in SECTIONS if not only or s[0] in only]
    ids = {s[0] for s in wanted}
    compute_in_background(
        analysis,
        [part for sid, part in _SECOND_CORE if sid in ids],
        # read by both processes (the thesis section and the regimes part, the
        # book's signal): computed once, before the fork
        shared=("regime_fit", "thesis_check"),
    )
    try:
        with _progress() as progress:
            task = progress.add_task("building sections", total=len(wanted))
            return build_report(
                analysis,
                sections=wanted,
                only=only or None,
                previous=previous,
                progress=lambda sid: progress.update(
                    task, description=f"section {sid}", advance=1
                ),
                reuse=True,
            )
    finally:
        if isinstance(analysis.results, DiskResults):
            analysis.results.wait_all()


#: (section id, part) of the report's last heavy sections: a fork computes
#: them on the second core while this process builds the earlier sections.
_SECOND_CORE = (("regimes", "regimes"), ("backtest", "backtests"), ("risk", "risk"))


def _thesis_key(thesis: Path | None) -> str:
    return str(thesis.resolve()) if thesis else "great_rotation_2026"


def _summary_data(built: Report) -> dict[str, Any]:
    """Return the summary's data (headline now and before); {} without one."""
    from rotation.report.model import Section

    for section in built.sections:
        if section.id == "summary" and isinstance(section, Section):
            return section.data
    return {}


def _render(built: Report, fmt: Format, meta: dict[str, Any]) -> dict[str, str]:
    """Render the report's files in ``fmt``: suffix -> text."""
    from rotation.report.render import render_html, render_json, render_markdown
    from rotation.report.summary import tiles

    if fmt is Format.md:
        return {".md": render_markdown(built)}
    files = {".json": render_json(built, meta=meta)}
    if fmt is Format.html:
        summary = _summary_data(built)
        now, before = summary.get("headline"), summary.get("previous")
        files[".html"] = render_html(
            built,
            title=f"rotation — {built.analysis.thesis.meta.title}, checked",
            headline=tiles(now, before) if now else [],
        )
    return files


def _run_record(built: Report, files: dict[str, str]) -> dict[str, Any]:
    """Return what the run prints and records: sections, headline, files."""
    failed = {f.id: f.error for f in built.failures}
    return {
        "as_of": str(built.analysis.as_of.date()),
        "sections": [
            [s.title, failed.get(s.id), built.timings[s.id]] for s in built.sections
        ],
        "headline": _summary_data(built).get("headline"),
        "files": files,
        "reused": len(built.reused),
    }


def _print_run(run: dict[str, Any], written: list[Path], seconds: float) -> None:
    table = Table(title=f"rotation report as of {run['as_of']}", header_style="bold")
    for column in ("section", "status", "seconds"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for title, error, took in run["sections"]:
        status = f"[red]failed: {escape(error)}[/]" if error else "[green]ok[/]"
        table.add_row(escape(title), status, f"{took:.2f}")
    console.print(table)
    for path in written:
        console.print(f"wrote [bold]{path}[/] ({path.stat().st_size / 1e6:.1f} MB)")
    if run["reused"]:
        console.print(
            f"{run['reused']} of {len(run['sections'])} sections reused from an "
            "earlier run (unchanged data, thesis, settings and code)"
        )
    console.print(f"done in {seconds:.1f} s")


def _produce(
    st: Store,
    thesis: Path | None,
    as_of: str | None,
    fmt: Format,
    only: list[str] | None,
) -> dict[str, Any]:
    """Build (or read back unchanged sections of) the report; return the run."""
    from rotation.thesis_files import load_thesis_file
    from rotation.workspace import analysis_of, thesis_label

    analysis = analysis_of(
        st, load_thesis_file(thesis), None, as_of, thesis_label(thesis)
    )
    previous = st.previous_report(_thesis_key(thesis), as_of=analysis.as_of)
    if previous:
        previous = {"as_of": previous["as_of"], "headline": previous["payload"]}
    built = _build(analysis, previous, only)
    return _run_record(built, _render(built, fmt, {"store": str(st.path)}))


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
    """Build the report on the store (loading the bundled data on first use).

    A rerun on unchanged data, thesis, settings and code reuses the previous
    run's results: the parts, and each section as rendered (only the summary,
    which compares with the previous report, is rendered again).
    """
    start = time.perf_counter()
    try:
        _check_only(only)
        st, _ = _load_store(store)
        run = _produce(st, thesis, as_of, fmt, only)
        written = _write_files(run["files"], out)
    except (RotationError, OSError, ValueError) as exc:
        _fail(exc)
        return
    _print_run(run, written, time.perf_counter() - start)
    failed = any(error for _, error, _ in run["sections"])
    if run["headline"] is not None and not failed:
        headline = json.dumps(run["headline"])
        st.record_report(run["as_of"], _thesis_key(thesis), headline)
    if open_browser and written:
        webbrowser.open(written[0].resolve().as_uri())
    if failed:
        raise typer.Exit(1)


def _write_files(files: dict[str, str], out: Path) -> list[Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in sorted(files, key=lambda x: x != ".html"):
        path = out.with_suffix(suffix)
        path.write_text(files[suffix], encoding="utf-8")
        written.append(path)
    return written


_AllowWritesOpt = Annotated[
    bool,
    typer.Option(
        "--allow-writes",
        help="Enable the update endpoint; the token comes from --token-file "
        "or the ROTATION_TOKEN environment variable.",
    ),
]
_TokenFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--token-file", help="File holding the write token (16+ characters; chmod 600)."
    ),
]
_HostAllowOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--host-allow",
        help="Also accept this Host name or name:port (repeatable); "
        "127.0.0.1, localhost and [::1] always work.",
    ),
]
_TokenOpt = Annotated[
    str | None,
    typer.Option(
        hidden=True, help="Deprecated: visible to other users in ps; use --token-file."
    ),
]


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
    allow_writes: _AllowWritesOpt = False,
    token_file: _TokenFileOpt = None,
    host_allow: _HostAllowOpt = None,
    token: _TokenOpt = None,
) -> None:
    """Run the live dashboard and JSON API (read-only unless --allow-writes)."""
    try:
        from rotation.web import serve as run_server
    except ImportError as exc:
        _fail(
            RotationError(
                "the dashboard needs the [web] extra's packages (fastapi, uvicorn): "
                f"pip install 'rotation[web]' ({exc})"
            )
        )
        return
    token = _write_token(allow_writes, token, token_file)
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err.print(
            f"[yellow]warning:[/] binding to {escape(host)}: the dashboard is "
            "reachable from other hosts",
            highlight=False,
        )
    console.print(
        f"dashboard on http://{host}:{port}/  (API schema: /openapi.json)",
        markup=False,
    )
    from rotation._compile_ahead import start_compile_ahead

    start_compile_ahead()  # the first page's analysis finds its kernels compiled
    try:
        run_server(
            host,
            port,
            store_path=store,
            thesis_dir=thesis_dir,
            allow_writes=allow_writes,
            token=token,
            host_allow=host_allow,
        )
    except (ValueError, FileNotFoundError) as exc:
        _fail(RotationError(str(exc)))


def _write_token(
    allow_writes: bool, token: str | None, token_file: Path | None
) -> str | None:
    """Return the write token: --token-file, else $ROTATION_TOKEN (--token deprecated)."""
    import warnings

    from rotation.web._server import read_token

    if token is not None:
        err.print(
            "[yellow]warning:[/] --token is deprecated and will be removed: a "
            "command line is visible to every user (ps). Write the token to a "
            "file and pass --token-file FILE, or set ROTATION_TOKEN.",
            highlight=False,
        )
    if not allow_writes or token is not None:
        return token
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            token = read_token(token_file, required=True)
    except (ValueError, FileNotFoundError) as exc:
        _fail(RotationError(str(exc)))
    for warning in caught:
        err.print(f"[yellow]warning:[/] {escape(str(warning.message))}")
    return token
