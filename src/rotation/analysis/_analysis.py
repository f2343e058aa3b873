"""The Analysis: every number a surface shows, computed once, lazily."""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from rotation.analysis._config import AnalysisConfig

if TYPE_CHECKING:
    from rotation.analysis._regime_fit import RegimeFit
    from rotation.analysis._results import ResultsCache
    from rotation.analysis._snapshot import Snapshot
    from rotation.market import MarketData
    from rotation.thesis import Thesis

__all__ = ["PARTS", "Analysis"]

T = TypeVar("T")

#: Report parts in report order: name -> "module:function" computing it from
#: an Analysis. Each function returns a frozen result or an ``Omitted``.
PARTS: dict[str, str] = {
    "thesis_check": "rotation.analysis._thesis_check:compute_thesis_check",
    "rrg": "rotation.analysis._rrg:compute_rrg",
    "spreads": "rotation.analysis._spreads:compute_spreads",
    "correlation": "rotation.analysis._correlation:compute_correlation",
    "copper": "rotation.analysis._macro:compute_copper",
    "rates": "rotation.analysis._macro:compute_rates",
    "fed": "rotation.analysis._macro:compute_fed",
    "regimes": "rotation.analysis._regimes:compute_regimes",
    "backtests": "rotation.analysis._backtests:compute_backtests",
    "risk": "rotation.analysis._risk:compute_risk",
    "prices": "rotation.analysis._prices:compute_prices",
    "coverage": "rotation.analysis._coverage:compute_coverage",
    "headline": "rotation.analysis._headline:compute_headline",
}


def _resolve(target: str) -> Callable[[Analysis], Any]:
    module, name = target.split(":")
    func: Callable[[Analysis], Any] = getattr(importlib.import_module(module), name)
    return func


def _part(func: Callable[[Analysis], T]) -> property:
    """Make a lazily computed, cached attribute, computed once even under threads."""
    name = func.__name__

    @functools.wraps(func)
    def getter(self: Analysis) -> T:
        cache = self._cache
        if name not in cache:
            with self._lock_for(name):
                if name not in cache:
                    cache[name] = self._stored_or_computed(name, func)
        value: T = cache[name]
        return value

    return property(getter)


class Analysis:
    """One analysis of a thesis on a point-in-time snapshot, with one config.

    Every figure the report, the CLI and the dashboard show is an attribute
    of an Analysis (a frozen result object, or an ``Omitted`` saying why a
    part has nothing to show for this thesis); the shells only format them.
    Parts are computed on first access and kept, so the same quantity is
    computed once and has one value everywhere.

    Parameters
    ----------
    snapshot : Snapshot
        Market data and coverage as known at the close of the as-of date.
    thesis : Thesis
        The thesis in hand: its baskets, core spread, universe, book and
        scenarios decide what is computed (never the default thesis's).
    config : AnalysisConfig, optional
        Windows, grids and model settings (defaults when omitted).
    thesis_name : str, default "great_rotation_2026"
        How surfaces name the thesis (a file stem or path).
    results : ResultsCache, optional
        Parts an earlier run computed for the same data, thesis, config and
        code (the shells key it); a part found there is not recomputed.

    Examples
    --------
    >>> import rotation
    >>> a = rotation.open_analysis(as_of="2022-06-30")  # doctest: +SKIP
    >>> a.risk.var[0.99]                                 # doctest: +SKIP
    """

    def __init__(
        self,
        snapshot: Snapshot,
        thesis: Thesis,
        config: AnalysisConfig | None = None,
        *,
        thesis_name: str = "great_rotation_2026",
        results: ResultsCache | None = None,
    ) -> None:
        object.__setattr__(self, "snapshot", snapshot)
        object.__setattr__(self, "results", results)
        object.__setattr__(self, "thesis", thesis)
        object.__setattr__(self, "config", config or AnalysisConfig())
        object.__setattr__(self, "thesis_name", thesis_name)
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_locks", {})
        object.__setattr__(self, "_guard", threading.Lock())

    snapshot: Snapshot
    thesis: Thesis
    config: AnalysisConfig
    thesis_name: str
    results: ResultsCache | None
    _cache: dict[str, Any]
    _locks: dict[str, threading.RLock]
    _guard: threading.Lock

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"an Analysis is immutable (cannot set {name!r})")

    def __repr__(self) -> str:
        done = ", ".join(sorted(self._cache)) or "nothing yet"
        return (
            f"Analysis(thesis={self.thesis_name!r}, as_of={self.as_of.date()}, "
            f"computed: {done})"
        )

    def _stored_or_computed(self, name: str, func: Callable[[Analysis], Any]) -> Any:
        """Return a part from the results cache, else compute (and store) it."""
        if self.results is not None:
            try:
                return self.results.get(name)
            except KeyError:
                pass
        value = func(self)
        if self.results is not None:
            self.results.put(name, value)
        return value

    def _lock_for(self, name: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(name, threading.RLock())

    # -- inputs ---------------------------------------------------------------
    @property
    def as_of(self) -> pd.Timestamp:
        """The date everything is known at (close)."""
        return self.snapshot.as_of

    @property
    def market(self) -> MarketData:
        """The point-in-time market data."""
        return self.snapshot.market

    @_part
    def regime_fit(self) -> RegimeFit | None:
        """The regime model on the thesis's core spread (None: no core spread)."""
        # imported here: the regime models pull in statsmodels, which a run
        # reading its parts from the results cache never needs
        from rotation.analysis._regime_fit import fit_core_spread_regimes

        return fit_core_spread_regimes(self.market, self.thesis, self.config.regimes)

    @_part
    def thesis_extra(self) -> dict[str, pd.Series]:
        """The regime series the thesis language reads (``regime_prob(...)``)."""
        labels = self.thesis.regime_labels()
        fit = self.regime_fit if labels else None
        if fit is None:
            return {}
        return {k: v for k, v in fit.extra.items() if k.split(":", 1)[1] in labels}

    def basket_pair(self, basket: str, versus: str, window: int) -> Any:
        """Relative return of basket ``basket`` over ``versus`` (cached per arguments).

        See :func:`rotation.analysis._basket_pair.compute_basket_pair`.
        """
        from rotation.analysis._basket_pair import compute_basket_pair

        key = f"basket_pair:{basket}:{versus}:{window}"
        with self._lock_for(key):
            if key not in self._cache:
                self._cache[key] = compute_basket_pair(self, basket, versus, window)
        return self._cache[key]

    # -- parts ----------------------------------------------------------------
    def part(self, name: str) -> Any:
        """Return part ``name`` (one of :data:`PARTS`), computing it once."""
        if name not in PARTS:
            raise KeyError(f"unknown part {name!r}; parts: {', '.join(PARTS)}")
        result: Any = getattr(self, name)
        return result

    @_part
    def thesis_check(self) -> Any:
        """Evaluation, history, what changed, claims vs measured, event study."""
        return _resolve(PARTS["thesis_check"])(self)

    @_part
    def rrg(self) -> Any:
        """Relative-rotation graph of the thesis universe against its benchmark."""
        return _resolve(PARTS["rrg"])(self)

    @_part
    def spreads(self) -> Any:
        """Relative returns of the thesis's basket pairs."""
        return _resolve(PARTS["spreads"])(self)

    @_part
    def correlation(self) -> Any:
        """Average pairwise correlation of the baskets the thesis watches."""
        return _resolve(PARTS["correlation"])(self)

    @_part
    def copper(self) -> Any:
        """Copper trend panel (when the thesis lists the ``copper`` panel)."""
        return _resolve(PARTS["copper"])(self)

    @_part
    def rates(self) -> Any:
        """Rates vs the dot-plot path (when the thesis lists ``rates``)."""
        return _resolve(PARTS["rates"])(self)

    @_part
    def fed(self) -> Any:
        """Fed funds range and dot plots (when the thesis lists ``fed``)."""
        return _resolve(PARTS["fed"])(self)

    @_part
    def regimes(self) -> Any:
        """Regimes of the core spread: probability, episodes, score, change points."""
        return _resolve(PARTS["regimes"])(self)

    @_part
    def backtests(self) -> Any:
        """Backtests of the thesis book, its signal, momentum and benchmarks."""
        return _resolve(PARTS["backtests"])(self)

    @_part
    def risk(self) -> Any:
        """Risk of the thesis book: scenarios, replays, factors, VaR."""
        return _resolve(PARTS["risk"])(self)

    @_part
    def prices(self) -> Any:
        """Rebased price panels of the universe and the thesis's baskets."""
        return _resolve(PARTS["prices"])(self)

    @_part
    def coverage(self) -> Any:
        """What data is known as of the as-of date (nothing later)."""
        return _resolve(PARTS["coverage"])(self)

    @_part
    def headline(self) -> Any:
        """Headline numbers and the plain-language summary bullets."""
        return _resolve(PARTS["headline"])(self)
