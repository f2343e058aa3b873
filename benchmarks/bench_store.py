"""Store benchmarks: first-run load, first `rotation report`, wide-panel reads.

Run: python benchmarks/bench_store.py [--panel ../shared/data/prices/us_equity_etf_close.parquet]

Prints one table; peers are measured in the same run on the same machine.
Targets (issue 3): first run of `rotation report` under 10 s wall on a 2-core
machine; a wide panel of the 535 symbols over their full history under 1 s.
Issue 17: the bundled load into a fresh store (the shipped bundle, trusted
after its digests are checked) in at most 0.5 s, next to the validated path
it replaces; `Store.fingerprint()` and reopening a loaded store as cheap as
possible. Times are best of three; the load average is printed with them
(the machine may be shared).
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

from rotation.data.ingest import load_bundled
from rotation.data.sources.files import read_price_parquet
from rotation.data.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def best_fresh(folder: Path, load, repeat: int = 3) -> float:
    """Best time of ``load(store)``, each time on a new, empty store file."""
    times = []
    for i in range(repeat):
        store = Store(folder / f"fresh-{i}.duckdb")
        start = time.perf_counter()
        load(store)
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
        fast = best_fresh(Path(tmp) / "fast", load_bundled)
        full = best_fresh(Path(tmp) / "full", lambda s: load_bundled(s, validate=True))
        rows.append(
            (
                "bundled dataset -> fresh store (first run): shipped bundle, digests checked",
                f"{fast:.2f} s",
                "target <= 0.5 s",
                "DuckDB reads the Parquet files",
            )
        )
        rows.append(
            (
                "  same, validated path (a bundle that is not the shipped one)",
                f"{full:.2f} s",
                "",
                f"x{full / fast:.1f} the fast path",
            )
        )
        loaded = Store(Path(tmp) / "fast" / "fresh-0.duckdb")
        rows.append(
            (
                "Store.fingerprint() of the loaded store",
                f"{best_of(loaded.fingerprint) * 1e3:.0f} ms",
                "",
                "",
            )
        )
        rows.append(
            (
                "open_store() of the loaded store",
                f"{best_of(lambda: open_store(loaded.path)) * 1e3:.0f} ms",
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
            frame = read_price_parquet(args.panel, source=args.panel.name)
            # The jump rule refuses ^IRX (a T-bill yield near zero moves x55 in
            # a day): index levels and yields are not prices, leave them out.
            frame = frame[~frame["symbol"].str.startswith("^")]
            rep = big.ingest_prices(frame, file=str(args.panel))
            rows.append(
                (
                    f"ingest {frame['symbol'].nunique()}-symbol panel "
                    f"({rep.rows:,} rows, validated)",
                    f"{time.perf_counter() - start:.2f} s",
                    "",
                    "panel less its ^ index/yield symbols",
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
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    table = Table(
        title=f"rotation store benchmarks ({os.cpu_count()} cores, load average {load})",
        header_style="bold",
    )
    for col in ("what", "time", "target", "note"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
