"""Event study: forward returns of long versus short when a condition holds.

The condition is known at the close of day t; the forward return is measured
from that close, which is what a position taken at t and held from t+1 earns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rotation import indicators as ind
from rotation.market import MarketData
from rotation.thesis._errors import ThesisError
from rotation.thesis._evaluate import history
from rotation.thesis._metrics import MetricEngine
from rotation.thesis._results import ThesisHistory
from rotation.thesis._spec import Basket, FamaFrenchProxy, Thesis
from rotation.thesis._state import pillar_states

__all__ = [
    "EventStudyResult",
    "event_study",
    "fama_french_index",
    "forward_relative_return",
    "thesis_event_study",
]


@dataclass(frozen=True)
class EventStudyResult:
    """Forward returns of long versus short, conditional on a daily condition.

    Attributes
    ----------
    name : str
        What was studied (``"tangible_vs_tech | health >= 0.6"``).
    table : DataFrame
        One row per horizon (sessions): ``n_days`` (conditional days with a
        forward return), ``n_independent`` (``n_days / horizon``, the number of
        non-overlapping windows), ``mean``, ``median``, ``hit_rate`` (share
        > 0), ``ci_low``/``ci_high`` (block-bootstrap interval of the mean),
        ``all_mean``/``all_hit_rate`` (every day, the unconditional baseline)
        and ``excess_mean`` (``mean - all_mean``).
    episodes : DataFrame
        One row per run of the condition: ``start``, ``end``, ``length``
        (sessions), ``outcome`` (long vs short return from start to end).
    confidence : float
        Level of the intervals.
    """

    name: str
    table: pd.DataFrame
    episodes: pd.DataFrame
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """Return the per-horizon table."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text summary, one line per horizon."""
        lines = [f"{self.name}: {len(self.episodes)} episode(s)"]
        for h, row in self.table.iterrows():
            if row["n_days"] == 0:
                lines.append(f"  {h:>4}d  no conditional days")
                continue
            lines.append(
                f"  {h:>4}d  n={int(row['n_days'])} (~{row['n_independent']:.0f} "
                f"independent)  mean {row['mean']:+.2%} "
                f"[{row['ci_low']:+.2%}, {row['ci_high']:+.2%}]  hit "
                f"{row['hit_rate']:.0%}  vs all days {row['all_mean']:+.2%}"
            )
        return "\n".join(lines)


def forward_relative_return(
    long: pd.Series, short: pd.Series | None, horizon: int
) -> pd.Series:
    r"""Return of long over short over the next ``horizon`` rows.

    Parameters
    ----------
    long, short : Series
        Price or index levels on the same dates; ``short=None`` studies long
        alone.
    horizon : int
        Rows ahead, >= 1.

    Returns
    -------
    Series
        .. math:: f_t = \frac{L_{t+h}/L_t}{S_{t+h}/S_t} - 1

        NaN where any of the four levels is missing or for the last
        ``horizon`` rows. This is a label for studying the past, not a
        signal: it looks ahead by construction.
    """
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1 (got {horizon})")
    growth = long.shift(-horizon) / long
    if short is not None:
        growth = growth / (short.shift(-horizon) / short)
    return (growth - 1.0).astype("float64")


def _block_bootstrap_ci(
    values: np.ndarray,
    block: int,
    *,
    n_boot: int,
    confidence: float,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Moving-block bootstrap interval of the mean (blocks of ``block`` rows)."""
    n = values.size
    if n < 2:
        return math.nan, math.nan
    block = max(1, min(block, n))
    n_blocks = math.ceil(n / block)
    sums = np.concatenate(([0.0], np.cumsum(values)))
    block_sums = sums[block:] - sums[:-block]  # sum of each block start
    starts = rng.integers(0, block_sums.size, size=(n_boot, n_blocks))
    means = block_sums[starts].sum(axis=1) / (n_blocks * block)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def _episodes(
    condition: np.ndarray,
    index: pd.DatetimeIndex,
    long: pd.Series,
    short: pd.Series | None,
) -> pd.DataFrame:
    padded = np.concatenate(([False], condition, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    lv = long.to_numpy(dtype="float64")
    sv = None if short is None else short.to_numpy(dtype="float64")
    outcome = lv[ends] / lv[starts]
    if sv is not None:
        outcome = outcome / (sv[ends] / sv[starts])
    return pd.DataFrame(
        {
            "start": index[starts],
            "end": index[ends],
            "length": ends - starts + 1,
            "outcome": outcome - 1.0,
        }
    )


def event_study(
    condition: pd.Series,
    long: pd.Series,
    short: pd.Series | None = None,
    *,
    horizons: Sequence[int] = (21, 63, 126, 252),
    confidence: float = 0.9,
    n_boot: int = 1000,
    seed: int = 0,
    name: str = "",
) -> EventStudyResult:
    r"""Forward long-vs-short returns on the days a condition holds.

    Parameters
    ----------
    condition : Series of bool
        Known at each date's close (e.g. thesis health >= 0.6).
    long, short : Series
        Price or index levels; reindexed onto ``condition``'s dates.
    horizons : sequence of int, default (21, 63, 126, 252)
        Forward windows in sessions (about 1, 3, 6 and 12 months).
    confidence : float, default 0.9
        Level of the bootstrap intervals.
    n_boot : int, default 1000
        Bootstrap draws (seeded with ``seed``: the result is reproducible).
    seed : int, default 0
    name : str, optional

    Returns
    -------
    EventStudyResult

    Notes
    -----
    Forward returns :math:`f_t` (see :func:`forward_relative_return`) of
    overlapping windows are serially dependent, so the interval of the
    conditional mean comes from a moving-block bootstrap with blocks of
    ``horizon`` conditional days [1]_; ``n_independent`` = ``n_days / horizon``
    says how much independent evidence there is.

    NaN handling: days with a NaN forward return are left out; a NaN
    condition counts as False.

    References
    ----------
    .. [1] Künsch, H. R. (1989). The jackknife and the bootstrap for general
       stationary observations. Annals of Statistics 17(3), 1217-1241.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1) (got {confidence})")
    if n_boot < 10:
        raise ValueError(f"n_boot must be >= 10 (got {n_boot})")
    index = pd.DatetimeIndex(condition.index)
    cond = condition.astype("boolean").fillna(False).to_numpy(dtype=bool)
    long_al = long.reindex(index).astype("float64")
    short_al = None if short is None else short.reindex(index).astype("float64")
    rng = np.random.default_rng(seed)
    rows = []
    for h in horizons:
        fwd = forward_relative_return(long_al, short_al, int(h)).to_numpy()
        have = ~np.isnan(fwd)
        picked = fwd[cond & have]
        every = fwd[have]
        low, high = _block_bootstrap_ci(
            picked, int(h), n_boot=n_boot, confidence=confidence, rng=rng
        )
        n = picked.size
        rows.append(
            {
                "horizon": int(h),
                "n_days": n,
                "n_independent": n / h,
                "mean": float(picked.mean()) if n else math.nan,
                "median": float(np.median(picked)) if n else math.nan,
                "hit_rate": float((picked > 0).mean()) if n else math.nan,
                "ci_low": low,
                "ci_high": high,
                "all_mean": float(every.mean()) if every.size else math.nan,
                "all_hit_rate": float((every > 0).mean()) if every.size else math.nan,
            }
        )
    table = pd.DataFrame(rows).set_index("horizon")
    table["excess_mean"] = table["mean"] - table["all_mean"]
    return EventStudyResult(
        name=name,
        table=table,
        episodes=_episodes(cond, index, long_al, short_al),
        confidence=confidence,
    )


def fama_french_index(market: MarketData, basket: Basket) -> pd.Series:
    """Index level (base 100) of a basket of Fama–French daily return series.

    Parameters
    ----------
    market : MarketData
        Must hold the basket's ``FF_*`` series as daily returns (fractions).
    basket : Basket
        Members are series ids.

    Returns
    -------
    Series
        Indexed by the series' observation dates.
    """
    return ind.basket_index(_ff_panel(market, basket.members))


def _ff_panel(market: MarketData, members: Sequence[str]) -> pd.DataFrame:
    missing = [m for m in members if m not in market.series]
    if missing:
        raise ThesisError(
            f"Fama-French member(s) {missing} are not loaded; allowed: "
            f"{', '.join(sorted(k for k in market.series if k.startswith('FF_')))}"
        )
    returns = pd.DataFrame({m: market.series[m]["value"] for m in members})
    returns = returns.sort_index().astype("float64")
    # Levels from daily returns; the first row's return is the move into it.
    return 100.0 * (1.0 + returns.fillna(0.0)).cumprod().where(returns.notna())


def _proxy_study(
    thesis: Thesis,
    market: MarketData,
    proxy: FamaFrenchProxy,
    *,
    horizons: Sequence[int],
    confidence: float,
    n_boot: int,
    seed: int,
) -> EventStudyResult:
    pillar = thesis.pillar(proxy.pillar)
    members = sorted({m for b in proxy.baskets.values() for m in b.members})
    panel = _ff_panel(market, members)
    view = MarketData(prices=panel, series={}, dots=market.dots.iloc[0:0])
    engine = MetricEngine(view, proxy.baskets)
    assert pillar.tree is not None and pillar.rule is not None
    engine.check(pillar.tree, pillar.expr or "")
    values = engine.values(pillar.tree)
    state, _ = pillar_states(
        values,
        pillar.rule,
        hysteresis=pillar.hysteresis,
        min_persistence=pillar.min_persistence,
    )
    condition = pd.Series(state == 1, index=panel.index)
    long = ind.basket_index(panel[list(proxy.baskets[proxy.long].members)])
    short = ind.basket_index(panel[list(proxy.baskets[proxy.short].members)])
    return event_study(
        condition,
        long,
        short,
        horizons=horizons,
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
        name=f"{proxy.id} | pillar {pillar.id} holds (Fama-French industries)",
    )


def thesis_event_study(
    thesis: Thesis,
    market: MarketData,
    *,
    level: float | None = None,
    horizons: Sequence[int] | None = None,
    min_coverage: float = 0.5,
    confidence: float = 0.9,
    n_boot: int = 1000,
    seed: int = 0,
    extra: Mapping[str, pd.Series] | None = None,
    thesis_history: ThesisHistory | None = None,
) -> dict[str, EventStudyResult]:
    """Run the thesis's event studies: health-conditioned and Fama–French.

    Parameters
    ----------
    thesis : Thesis
    market : MarketData
    level : float, optional
        Health threshold (defaults to the thesis's ``event_study.level``).
    horizons : sequence of int, optional
        Defaults to the thesis's ``event_study.horizons``.
    min_coverage : float, default 0.5
        Days count only when pillars carrying at least this share of the
        total weight have data (early history has few pillars).
    confidence, n_boot, seed
        As in :func:`event_study`.
    extra : mapping of str to Series, optional
    thesis_history : ThesisHistory, optional
        A :func:`history` of this thesis on this market, to avoid recomputing.

    Returns
    -------
    dict of str to EventStudyResult
        One entry per ``event_study.pairs`` (conditional on health) and per
        ``event_study.fama_french`` proxy (conditional on the mapped pillar).
    """
    spec = thesis.event_study
    level = spec.level if level is None else level
    horizons = tuple(spec.horizons if horizons is None else horizons)
    out: dict[str, EventStudyResult] = {}
    if spec.pairs:
        hist = thesis_history or history(thesis, market, extra=extra)
        condition = (hist.health >= level) & (hist.coverage >= min_coverage)
        for pair in spec.pairs:
            engine = MetricEngine(market, thesis.baskets)
            long = _basket_level(engine, thesis.baskets[pair.long])
            short = _basket_level(engine, thesis.baskets[pair.short])
            out[pair.id] = event_study(
                condition,
                long,
                short,
                horizons=horizons,
                confidence=confidence,
                n_boot=n_boot,
                seed=seed,
                name=f"{pair.id} | health >= {level:g}",
            )
    for proxy in spec.fama_french:
        out[proxy.id] = _proxy_study(
            thesis,
            market,
            proxy,
            horizons=horizons,
            confidence=confidence,
            n_boot=n_boot,
            seed=seed,
        )
    return out


def _basket_level(engine: MetricEngine, basket: Basket) -> pd.Series:
    frame = engine.market.prices[list(basket.members)]
    seen = frame.notna().any(axis=1)
    level = ind.basket_index(frame[seen], basket.weight_map())
    # Unpriced rows (other markets' sessions) hold the last level: no move.
    return level.reindex(frame.index).ffill(limit=5)
