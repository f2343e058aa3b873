"""``rotation report`` and ``rotation serve``."""

from __future__ import annotations

import json
import time
import webbrowser
from pathlib import Path
from typing import Annotated, Any

import typer
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
            "--allow-writes",
            help="Enable the update endpoint; the token comes from --token-file "
            "or the ROTATION_TOKEN environment variable.",
        ),
    ] = False,
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            help="File holding the write token (16+ characters; chmod 600).",
        ),
    ] = None,
    host_allow: Annotated[
        list[str] | None,
        typer.Option(
            "--host-allow",
            help="Also accept this Host name or name:port (repeatable); "
            "127.0.0.1, localhost and [::1] always work.",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            hidden=True,
            help="Deprecated: visible to other users in ps; use --token-file.",
        ),
    ] = None,
) -> None:
    """Run the live dashboard and JSON API (read-only unless --allow-writes)."""
    import warnings

    from rich.markup import escape

    try:
        from rotation.web import serve as run_server
        from rotation.web._server import read_token
    except ImportError as exc:
        message = (
            f"the dashboard needs the [web] extra: pip install 'rotation[web]' ({exc})"
        )
        _fail(RotationError(escape(message)))
        return
    if token is not None:
        err.print(
            "[yellow]warning:[/] --token is deprecated and will be removed: a "
            "command line is visible to every user (ps). Write the token to a "
            "file and pass --token-file FILE, or set ROTATION_TOKEN.",
            highlight=False,
        )
    try:
        if allow_writes and token is None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                token = read_token(token_file, required=True)
            for warning in caught:
                err.print(f"[yellow]warning:[/] {escape(str(warning.message))}")
        if host not in {"127.0.0.1", "localhost", "::1"}:
            err.print(
                f"[yellow]warning:[/] binding to {escape(host)}: the dashboard is "
                "reachable from other hosts",
                highlight=False,
            )
        url = f"http://{host}:{port}/"
        console.print(f"dashboard on {url}  (API schema: /openapi.json)", markup=False)
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
        _fail(RotationError(escape(str(exc))))
