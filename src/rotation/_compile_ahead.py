"""Compile the report's numba kernels in a second process on a first run.

A brand-new user's first ``rotation report`` finds an empty numba cache: each
kernel compiles when the analysis first calls it, one after the other, on one
core (numba holds the GIL while it compiles, so a thread does not help). On a
first run the main process spawns ``python -m rotation._compile_ahead``, which
calls every kernel a default analysis uses on tiny data, in the order that
keeps it ahead of the main process (the kernels the analysis needs last and
that cost most first), writing each to numba's on-disk cache. When the
analysis reaches a kernel the second process has compiled, numba loads it
from the cache instead of compiling it.

A marker file, keyed by the package's sources, Python and numba versions,
records a completed compile so later runs spawn nothing. Nothing here changes
a number: the second process only fills a cache that numba validates itself.
``ROTATION_COMPILE_AHEAD=0`` turns it off.

``tests/test_compile_ahead.py`` checks that after :func:`compile_kernels` a
default analysis compiles nothing, so the workload cannot fall behind the
code it warms up.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from rotation._source import source_digest

__all__ = ["compile_kernels", "marker_path", "start_compile_ahead"]

#: Set to "0" to never spawn the compiling process.
ENV_SWITCH = "ROTATION_COMPILE_AHEAD"


def marker_path() -> Path:
    """Where a completed compile of this code is recorded.

    In ``NUMBA_CACHE_DIR`` when it is set (so an emptied cache folder means a
    new compile), else in the user's cache folder.
    """
    payload = f"{sys.version}|{version('numba')}|{source_digest()}"
    digest = hashlib.sha256(payload.encode())
    cache = os.environ.get("NUMBA_CACHE_DIR")
    folder = Path(cache) if cache else Path.home() / ".cache" / "rotation"
    return folder / f"rotation-kernels-{digest.hexdigest()[:16]}.done"


def start_compile_ahead() -> subprocess.Popen[bytes] | None:
    """Spawn the compiling process unless this code's kernels are compiled.

    Returns
    -------
    Popen or None
        The process (left to finish on its own; it only writes numba's
        cache and the marker), or None when nothing needs compiling, the
        switch is off or numba's JIT is disabled.
    """
    if os.environ.get(ENV_SWITCH, "1") == "0" or os.environ.get("NUMBA_DISABLE_JIT"):
        return None
    try:
        if marker_path().exists():
            return None
    except OSError:
        return None
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "rotation._compile_ahead"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return None
    _STARTED.append(process)  # held, so it is not reported as abandoned
    return process


_STARTED: list[subprocess.Popen[bytes]] = []


def compile_kernels() -> None:
    """Call every kernel a default analysis uses, on tiny data, to compile it.

    Each call goes through the public function the analysis calls, so the
    arguments have the same types, layouts and writability and numba
    compiles (and caches) exactly the specialisation the analysis will load.
    Order: the change-point filter (regimes part), the backtest engine and
    the sweep (backtests part, the largest), then the kernels the thesis
    check needs first, which the main process usually compiles itself.
    """
    import numpy as np
    import pandas as pd

    from rotation.backtest import SweepGrid, backtest, sweep
    from rotation.indicators import rolling_zscore
    from rotation.regimes import DirectionRegimes, bocpd
    from rotation.thesis import pillar_states
    from rotation.thesis._rule import parse_rule

    rng = np.random.default_rng(0)
    index = pd.bdate_range("2020-01-01", periods=120)
    walk = np.cumsum(rng.normal(0.0, 0.01, (len(index), 3)), axis=0)
    prices = pd.DataFrame(100.0 * np.exp(walk), index=index, columns=["A", "B", "C"])
    returns = prices["A"].pct_change().iloc[1:]

    bocpd(returns)
    targets = pd.DataFrame(np.nan, index=index, columns=prices.columns)
    targets.iloc[::21] = 1.0 / 3.0
    backtest(prices, targets)
    grid = SweepGrid(lookback=(20,), top_k=(1,), skip=(0,), cost_bps=(0.0,))
    sweep(prices, grid, keep_returns=True)
    DirectionRegimes().fit(returns)
    rolling_zscore(prices, 20)
    pillar_states(np.asarray(returns, dtype=np.float64), parse_rule("> 0"))


def main() -> None:
    """Compile, then record the marker (only after every kernel compiled)."""
    compile_kernels()
    marker = marker_path()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


if __name__ == "__main__":
    main()
