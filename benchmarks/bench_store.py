"""Store benchmarks: first-run load, first `rotation report`, wide-panel reads.

Run: python benchmarks/bench_store.py [--panel ../shared/data/prices/us_equity_etf_close.parquet]

Prints one table; peers are measured in the same run on the same machine.
Targets (issue 3): first run of `rotation report` under 10 s wall on a 2-core
machine; a wide panel of the 535 symbols over their full history under 1 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from rotation.data.ingest import ingest_path, load_bundled
from rotation.data.store import Store

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--panel",
        type=Path,
        default=ROOT.parent / "shared/data/prices/us_equity_etf_close.parquet",
    )
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bundled.duckdb")
        start = time.perf_counter()
        load_bundled(store)
        rows.append(
            (
                "bundled dataset -> fresh store (first run)",
                f"{time.perf_counter() - start:.2f} s",
                "",
                "",
            )
        )

        env = {**os.environ, "ROTATION_STORE": str(Path(tmp) / "report.duckdb")}
        start = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "rotation.cli",
                "report",
                "--out",
                str(Path(tmp) / "report.html"),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        first = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "rotation.cli",
                "report",
                "--out",
                str(Path(tmp) / "report.html"),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        second = time.perf_counter() - start
        rows.append(
            (
                "`rotation report` first run (fresh store, all sections)",
                f"{first:.2f} s",
                "target < 10 s",
                f"exit {proc.returncode}",
            )
        )
        rows.append(("`rotation report` second run", f"{second:.2f} s", "", ""))

        if args.panel.exists():
            big = Store(Path(tmp) / "panel.duckdb")
            start = time.perf_counter()
            rep = ingest_path(big, args.panel)
            rows.append(
                (
                    f"ingest 535-symbol panel ({rep.rows:,} rows, validated)",
                    f"{time.perf_counter() - start:.2f} s",
                    "",
                    "",
                )
            )
            symbols = big.symbols()
            ours = best_of(lambda: big.prices(symbols))
            rows.append(
                (
                    f"wide panel read, {len(symbols)} symbols, full history: rotation Store.prices",
                    f"{ours * 1e3:.0f} ms",
                    "target < 1 s",
                    "",
                )
            )
            pivot = best_of(
                lambda: pd.read_parquet(args.panel).pivot(
                    index="date", columns="symbol", values="close"
                )
            )
            rows.append(
                (
                    "  peer: pandas read_parquet + pivot (no store, no quarantine)",
                    f"{pivot * 1e3:.0f} ms",
                    "",
                    "",
                )
            )
            con = duckdb.connect(str(Path(tmp) / "panel.duckdb"), read_only=False)

            def duck_pivot():
                con.execute(
                    "PIVOT (SELECT symbol, date, adj_close FROM prices) ON symbol USING first(adj_close) "
                    "GROUP BY date ORDER BY date"
                ).df()

            rows.append(
                (
                    "  peer: DuckDB PIVOT ... .df()",
                    f"{best_of(duck_pivot) * 1e3:.0f} ms",
                    "",
                    "",
                )
            )
            con.close()
        else:
            rows.append(("535-symbol panel", "skipped", f"{args.panel} not found", ""))
    table = Table(
        title="rotation store benchmarks (2-core machine)", header_style="bold"
    )
    for col in ("what", "time", "target", "note"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
