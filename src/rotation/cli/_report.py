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
    from rotation.data.store import Store
    from rotation.report.builder import Report


def _load_store(store: Path | None) -> tuple[Store, bool]:
    """Open the store, loading the bundled data on first use (with progress)."""
    from rotation.data.ingest import ensure_bundled

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
    st: Store, thesis: Path | None, as_of: str | None, only: list[str] | None
) -> Report:
    """Build the Analysis and render the report's sections from it."""
    from rotation.report.builder import SECTIONS, build_report
    from rotation.thesis_files import load_thesis_file
    from rotation.workspace import analysis_of, thesis_label

    analysis = analysis_of(
        st, load_thesis_file(thesis), None, as_of, thesis_label(thesis)
    )
    previous = st.previous_report(_thesis_key(thesis), as_of=analysis.as_of)
    wanted = [s for s in SECTIONS if not only or s[0] in only]
    with _progress() as progress:
        task = progress.add_task("building sections", total=len(wanted))
        return build_report(
            analysis,
            sections=wanted,
            only=only or None,
            previous=(
                {"as_of": previous["as_of"], "headline": previous["payload"]}
                if previous
                else None
            ),
            progress=lambda sid: progress.update(
                task, description=f"section {sid}", advance=1
            ),
        )


def _thesis_key(thesis: Path | None) -> str:
    return str(thesis.resolve()) if thesis else "great_rotation_2026"


def _write(built: Report, out: Path, fmt: Format, meta: dict[str, Any]) -> list[Path]:
    """Write the report in ``fmt`` next to ``out``; return the files written."""
    from rotation.report.render import render_html, render_json, render_markdown
    from rotation.report.summary import tiles

    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is Format.md:
        path = out.with_suffix(".md")
        path.write_text(render_markdown(built), encoding="utf-8")
        return [path]
    json_path = out.with_suffix(".json")
    json_path.write_text(render_json(built, meta=meta), encoding="utf-8")
    if fmt is Format.json:
        return [json_path]
    summary = next((s for s in built.sections if s.id == "summary"), None)
    now = summary.data.get("headline") if summary is not None else None
    before = summary.data.get("previous") if summary is not None else None
    html_path = out.with_suffix(".html")
    html_path.write_text(
        render_html(
            built,
            title=f"rotation — {built.analysis.thesis.meta.title}, checked",
            headline=tiles(now, before) if now else [],
        ),
        encoding="utf-8",
    )
    return [html_path, json_path]


def _print_summary(built: Report, written: list[Path], seconds: float) -> None:
    table = Table(
        title=f"rotation report as of {built.analysis.as_of.date()}",
        header_style="bold",
    )
    for column in ("section", "status", "seconds"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    failed = {f.id: f.error for f in built.failures}
    for section in built.sections:
        status = (
            f"[red]failed: {escape(failed[section.id])}[/]"
            if section.id in failed
            else "[green]ok[/]"
        )
        table.add_row(escape(section.title), status, f"{built.timings[section.id]:.2f}")
    console.print(table)
    for path in written:
        console.print(f"wrote [bold]{path}[/] ({path.stat().st_size / 1e6:.1f} MB)")
    console.print(f"done in {seconds:.1f} s")


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
    start = time.perf_counter()
    try:
        _check_only(only)
        st, loaded = _load_store(store)
        built = _build(st, thesis, as_of, only)
        meta = {"store": str(st.path), "bundled_loaded_now": loaded}
        written = _write(built, out, fmt, meta)
    except (RotationError, OSError, ValueError) as exc:
        _fail(exc)
        return
    _print_summary(built, written, time.perf_counter() - start)
    summary = next((s for s in built.sections if s.id == "summary"), None)
    if summary is not None and not built.failures:
        headline = json.dumps(summary.data.get("headline"))
        st.record_report(built.analysis.as_of, _thesis_key(thesis), headline)
    if open_browser and written:
        webbrowser.open(written[0].resolve().as_uri())
    if built.failures:
        raise typer.Exit(1)


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
