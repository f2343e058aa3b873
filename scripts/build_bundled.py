"""Build the bundled dataset shipped inside the package from ../shared/data.

Usage (from the repository root)::

    python scripts/build_bundled.py --source ../shared/data
    python scripts/build_bundled.py --digests-only

Writes ``src/rotation/_bundled/{prices,series,dots,snapshots}.parquet``, ``manifest.json``
and ``PROVENANCE.md``. The build is deterministic: same inputs, same bytes.
It uses the package's own readers (``rotation.data.sources.files``), so the
quirks it copes with are the ones user ingests cope with.

The manifest records the SHA-256 of each Parquet file (``files_sha256``) and
the digest that the validated ingest logs for each batch (``batch_sha256``,
taken from a full validated load into an in-memory store). A store trusts the
bundle, and skips its validation, only while every file matches
(``rotation.data._bundle_load``). ``--digests-only`` records them again for
the files already built, without ../shared/data: run it if
``tests/data/test_bundle_load.py`` says the recorded batch digests are stale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from rotation.data.sources.files import (
    read_dot_plot,
    read_fama_french,
    read_observations_csv,
    read_price_csv,
    read_price_parquet,
)
from rotation.data.sources.snapshots import read_snapshot_csv

OUT = Path(__file__).resolve().parents[1] / "src" / "rotation" / "_bundled"

ETFS = (
    "SPY QQQ IWM RSP IWD IWF IJR VTV VUG XLK XLI XLB XLE XLF XLV XLY XLP XLU XLRE XLC "
    "SMH SOXX COPX CPER GLD SLV USO UNG DBC TLT IEF SHY"
).split()
STOCKS = (
    "NVDA MSFT GOOGL META AMZN AAPL AVGO ORCL AMD TSM CAT ETN GE GEV VRT PWR FCX SCCO "
    "OXY XOM CVX EQT RRC LLY PFE MRK JNJ ABBV"
).split()
FUTURES = {"HG=F": "HG", "GC=F": "GC", "CL=F": "CL", "NG=F": "NG", "SI=F": "SI"}
# FRED folders from the oldest download to the newest: a later download is a
# later vintage, so it wins where two files disagree (conflicts are logged).
FRED_FOLDERS = (
    "fred/macro_1980_to_2025",
    "fred/long_history_to_2026-03",
    "fred/rates_to_2026-07",
    "fred/rates_to_2026-08",
    "fred/recent_2021-05_to_2026-08",
)
FRED_SERIES = (
    "DFEDTARU DFEDTARL DFF EFFR FEDFUNDS SOFR DGS3MO DGS2 DGS10 DGS30 T10Y2Y T10YIE "
    "T5YIE DFII10 CPIAUCSL CPILFESL PCEPILFE UNRATE PCOPPUSDM VIXCLS USREC"
).split()
EIA = {
    "EIA_WTI": "wti-daily.csv",
    "EIA_BRENT": "brent-daily.csv",
    "EIA_HENRY_HUB": "henry_hub_daily.csv",
}
# Known bad ticks (PROVENANCE.md "Known defects"): the outlier *price* dates; the
# reported +50%/+46% returns on 2014-12-05 and 2015-02-03 are the reversals.
QUARANTINE = [
    {
        "symbol": "CPER",
        "date": "2014-12-04",
        "reason": "bad tick: -33% then +50% next day (PROVENANCE.md)",
    },
    {
        "symbol": "CPER",
        "date": "2015-02-02",
        "reason": "bad tick: -29% then +46% next day (PROVENANCE.md)",
    },
]


FUNDAMENTALS = "fundamentals/Stock_Info_2025-06-15.csv"
# The file lists the 503 S&P 500 members of 2025-06-15 (Wikipedia's table, in its
# order) and then appends 32 symbols that are not members: Argentine ADRs, ETFs
# and leveraged ETFs. Only the members are bundled, so "every symbol of the
# snapshot" is the index; the build checks the appended block is exactly this.
FUNDAMENTALS_NON_MEMBERS = (
    "YPF GGAL BMA BBAR CEPU LOMA SUPV TSLL SOXL SQQQ SOXS TQQQ TSLZ SPY SPXS MSTU "
    "HYG QQQ MSTZ TLT FXI AMDL XLF IBIT LQD EWZ NVDQ NVDX TSLQ NVDL SMST KWEB"
).split()
# "Index" is a constant 0 column of the scraper, not a fundamental.
FUNDAMENTALS_DROPPED_FIELDS = ("Index",)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build_prices(src: Path, log: dict) -> pd.DataFrame:
    close = read_price_parquet(
        src / "prices/us_equity_etf_close.parquet",
        source="Yahoo Finance adjusted close (dsturdy/Factor_Attribution)",
    )
    close = close[close["symbol"].isin(ETFS + STOCKS)]
    ohlcv = read_price_parquet(
        src / "prices/etf_ohlcv.parquet",
        source="Yahoo-style OHLCV (jonsflow/risk-model)",
        close_is_adjusted=False,
    )
    ohlcv = ohlcv[ohlcv["symbol"].isin(ETFS)]
    # Two downloads of adjusted prices differ by a constant factor (dividend
    # re-basing); rebase the OHLC onto the adj_close panel and log the factor.
    merged = close.drop(columns=["open", "high", "low", "close", "volume"]).merge(
        ohlcv[["symbol", "date", "open", "high", "low", "close", "volume"]],
        on=["symbol", "date"],
        how="left",
    )
    factors = {}
    for sym, grp in merged.groupby("symbol"):
        ratio = (grp["adj_close"] / grp["close"]).dropna()
        if len(ratio):
            factor = float(ratio.median())
            factors[sym] = {
                "factor": round(factor, 6),
                "max_rel_dev": float((ratio / factor - 1).abs().max()),
            }
            idx = grp.index
            for col in ("open", "high", "low", "close"):
                merged.loc[idx, col] = grp[col] * factor
    log["ohlc_rebase_factors"] = factors
    parts = [merged]
    for sym, code in FUTURES.items():
        yahoo = read_price_csv(
            src / f"futures/{code}_F_danielkoh_2018_2025.csv",
            symbol=sym,
            source="Yahoo Finance continuous front month (DanielKoh2004/StockMaster)",
        )
        yahoo = yahoo[yahoo["close"].notna()]
        parts.append(yahoo)
        fmp = {
            "HG": "HG_F_junyoungsim_2000_2023_fmp.csv",
            "CL": "CL_F_junyoungsim_fmp.csv",
        }.get(code)
        if fmp:
            older = read_price_csv(
                src / "futures" / fmp,
                symbol=sym,
                source="FMP continuous front month (junyoung-sim/times)",
            )
            overlap = older.merge(
                yahoo[["date", "close"]], on="date", suffixes=("", "_y")
            )
            log.setdefault("futures_overlap", {})[sym] = {
                "days": len(overlap),
                "median_abs_rel_diff": float(
                    (overlap["close"] / overlap["close_y"] - 1).abs().median()
                ),
            }
            parts.append(older[older["date"] < yahoo["date"].min()])
    prices = pd.concat(parts, ignore_index=True)
    prices = prices.drop(columns=[c for c in prices if c.startswith("_")])
    prices["volume"] = prices["volume"].astype("float64")
    return prices.sort_values(["symbol", "date"]).reset_index(drop=True)


def build_series(src: Path, log: dict) -> pd.DataFrame:
    frames = []
    conflicts = {}
    for sid in FRED_SERIES:
        merged: pd.Series | None = None
        for folder in FRED_FOLDERS:
            path = src / folder / f"{sid}.csv"
            if not path.exists():
                continue
            obs = read_observations_csv(path, series_id=sid)
            vals = obs.dropna(subset=["value"]).set_index("date")["value"]
            vals = vals[~vals.index.duplicated(keep="last")]
            if merged is None:
                merged = vals
                continue
            common = merged.index.intersection(vals.index)
            diff = (merged.loc[common] - vals.loc[common]).abs()
            bad = diff[diff > 1e-9 * np.maximum(1, vals.loc[common].abs())]
            if len(bad):
                conflicts.setdefault(sid, []).append(
                    {
                        "newer_file": f"{folder}/{sid}.csv",
                        "dates": len(bad),
                        "max_abs_diff": float(bad.max()),
                    }
                )
            merged = vals.combine_first(merged)
        assert merged is not None, sid
        frames.append(
            pd.DataFrame(
                {
                    "series_id": sid,
                    "date": merged.index,
                    "value": merged.to_numpy(),
                    "source": "FRED",
                }
            )
        )
    for sid, name in EIA.items():
        obs = read_observations_csv(src / "eia" / name, series_id=sid)
        obs = obs.dropna(subset=["value"])
        frames.append(
            obs.assign(source="EIA")[["series_id", "date", "value", "source"]]
        )
    ff_files = (
        "F-F_Research_Data_5_Factors_2x3_daily.csv",
        "F-F_Research_Data_Factors_daily.csv",
        "F-F_Momentum_Factor_daily.csv",
        "10_Industry_Portfolios_Daily_hpfauchald.csv",
    )
    ff = pd.concat(
        [read_fama_french(src / "famafrench" / f) for f in ff_files], ignore_index=True
    )
    ff = ff.dropna(subset=["value"])
    # The 3-factor file reaches back to 1926, the 5-factor file to 1963; where both
    # have a factor on a day they agree to the published rounding, keep the first.
    ff = ff.drop_duplicates(["series_id", "date"], keep="first")
    frames.append(ff[["series_id", "date", "value", "source"]])
    log["fred_conflicts_newer_vintage_wins"] = conflicts
    series = pd.concat(frames, ignore_index=True)
    return series.sort_values(["series_id", "date"]).reset_index(drop=True)


def build_dots(src: Path, log: dict) -> pd.DataFrame:
    files = [
        "palewire_dotplot_first_2023-08.csv",
        "ft_long_data_2020-06_2025-09.csv",
        "palewire_dotplot_latest.csv",
    ]
    parts = [read_dot_plot(src / "fomc" / f).assign(file=f) for f in files]
    allrows = pd.concat(parts, ignore_index=True)
    # The FT file rounds some midpoints (3.88 for 3.875); snap to the 1/8 grid.
    allrows["midpoint"] = (allrows["midpoint"] * 8).round() / 8
    per_file = allrows.groupby(["file", "meeting_date", "horizon", "midpoint"])[
        "participants"
    ].sum()
    # Where files overlap on a meeting they must agree dot for dot; log any that don't.
    disagreements = []
    for meeting, grp in allrows.groupby("meeting_date"):
        tables = {
            f: g.groupby(["horizon", "midpoint"])["participants"].sum()
            for f, g in grp.groupby("file")
        }
        if len(tables) > 1:
            base = next(iter(tables.values()))
            for f, t in tables.items():
                if not t.sort_index().equals(base.sort_index()):
                    disagreements.append({"meeting": str(meeting.date()), "file": f})
    log["dot_plot_file_disagreements"] = disagreements
    del per_file
    # Newest file wins per meeting.
    latest_file = allrows.groupby("meeting_date")["file"].agg(
        lambda s: max(s, key=files.index)
    )
    keep = allrows[allrows["file"] == allrows["meeting_date"].map(latest_file)]
    dots = keep.groupby(["meeting_date", "horizon", "midpoint"], as_index=False)[
        "participants"
    ].sum()
    dots["participants"] = dots["participants"].astype("int64")
    dots["source"] = (
        "federalreserve.gov SEP via palewire/fed-dot-plot-scraper and ft-interactive"
    )
    return dots


def build_snapshots(src: Path, log: dict) -> pd.DataFrame:
    raw = pd.read_csv(src / FUNDAMENTALS, usecols=["ticker"])
    n_members = len(raw) - len(FUNDAMENTALS_NON_MEMBERS)
    tail = raw["ticker"].iloc[n_members:].tolist()
    assert tail == FUNDAMENTALS_NON_MEMBERS, tail
    members = set(raw["ticker"].iloc[:n_members])
    long = read_snapshot_csv(
        src / FUNDAMENTALS,
        source="Yahoo Finance info, S&P 500 members (fcesterbics/Data_Stock)",
    )
    long = long[
        long["symbol"].isin(members) & ~long["field"].isin(FUNDAMENTALS_DROPPED_FIELDS)
    ]
    missing = long["value"].isna() & long["text"].isna()
    log["snapshots"] = {
        "file": FUNDAMENTALS,
        "members": len(members),
        "non_members_dropped": FUNDAMENTALS_NON_MEMBERS,
        "missing_values_dropped": int(missing.sum()),
        "members_without_data": sorted(
            set(members) - set(long.loc[~missing, "symbol"])
        ),
    }
    out = long.loc[~missing, ["symbol", "as_of", "field", "value", "text", "source"]]
    out = out.astype({"symbol": str, "field": str, "source": str})
    return out.sort_values(["as_of", "symbol", "field"]).reset_index(drop=True)


def record_digests(out: Path = OUT) -> None:
    """Record the bundle's file and batch digests in ``out/manifest.json``."""
    from rotation.data.bundled import bundled_dir
    from rotation.data.ingest import load_bundled
    from rotation.data.store import Store

    if bundled_dir().resolve() != out.resolve():
        raise SystemExit(
            f"the installed package reads its bundle from {bundled_dir()}, not {out}: "
            "install the package in editable mode (pip install -e .) and rerun."
        )
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    store = Store(":memory:")
    load_bundled(store, validate=True)
    log = store._query("SELECT file, batch_sha256 FROM ingest_log")
    batches = {
        str(file).removeprefix("bundled:").removesuffix(".parquet"): str(digest)
        for file, digest in zip(log["file"], log["batch_sha256"], strict=True)
    }
    names = ("prices", "series", "dots", "snapshots")
    if set(batches) != set(names):
        raise SystemExit(f"the validated load logged {sorted(batches)}, not {names}")
    manifest["batch_sha256"] = {name: batches[name] for name in names}
    manifest["files_sha256"] = {
        f"{name}.parquet": hashlib.sha256(
            (out / f"{name}.parquet").read_bytes()
        ).hexdigest()
        for name in names
    }
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--digests-only",
        action="store_true",
        help="only record the digests of the bundle already built",
    )
    args = parser.parse_args()
    if args.digests_only:
        record_digests(OUT)
        return
    src = args.source.resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    log: dict = {}
    outputs = {
        "prices": build_prices(src, log),
        "series": build_series(src, log),
        "dots": build_dots(src, log),
        "snapshots": build_snapshots(src, log),
    }
    for name, frame in outputs.items():
        frame.to_parquet(
            OUT / f"{name}.parquet",
            index=False,
            compression="zstd",
            compression_level=19,
        )
    inputs = sorted(
        p for p in src.rglob("*") if p.is_file() and p.suffix in {".csv", ".parquet"}
    )
    manifest = {
        "built_from": "../shared/data (see PROVENANCE.md for each source's repository and commit)",
        "command": "python scripts/build_bundled.py --source ../shared/data",
        "inputs_sha256_16": {str(p.relative_to(src)): sha256(p) for p in inputs},
        "rows": {k: len(v) for k, v in outputs.items()},
        "quarantine": QUARANTINE,
        "build_log": log,
    }
    (OUT / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True, default=str)
    )
    record_digests(OUT)
    for name in outputs:
        print(
            f"{name:8s} {len(outputs[name]):>9,d} rows  {(OUT / f'{name}.parquet').stat().st_size / 1e6:6.2f} MB"
        )


if __name__ == "__main__":
    main()
