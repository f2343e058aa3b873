"""The backtests part: one definition of each strategy, driven by the thesis."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from rotation.analysis import Omitted, to_jsonable
from rotation.analysis._backtests import STRATEGY_NAMES, Backtests
from rotation.backtest import backtest, cash_returns, relative_momentum, thesis_tilt
from rotation.indicators import relative_return
from rotation.thesis_files import load_thesis_file
from tests.conftest import make_analysis

# Today's report (before the Analysis refactor, default thesis, as of
# 2026-08-03: /tmp/base_report_before/report.json, section "backtest"). The
# numbers come from the old report section, a separate wiring of the core.
BEFORE = {
    # strategy: (report label, CAGR, Sharpe, max drawdown, final equity)
    "relative_momentum": (
        "Sector momentum",
        0.07403131456013234,
        0.3648068807690619,
        -0.5091233208240703,
        7.154281710325724,
    ),
    "thesis_tilt": (
        "Tangible tilt",
        0.0999728975303813,
        0.4539664946133954,
        -0.5497527207138178,
        13.808272905736128,
    ),
    "walk_forward": (
        "Walk-forward momentum",
        0.05392255829683279,
        0.25157370999180956,
        -0.6303356478393838,
        4.250263913763463,
    ),
    "equal_weight": (
        "Equal-weight sectors",
        0.09010556900629774,
        0.44794382232776553,
        -0.5330341716451871,
        10.772543481070718,
    ),
    "buy_and_hold": (
        "SPY buy-and-hold",
        0.0867030830627471,
        0.4144133504974805,
        -0.5518944078841195,
        9.883541532112982,
    ),
}
BEFORE_SWEEP = {
    "best_variant": "L230_S0_K4_C10",
    "best_sharpe": 0.5121899572872508,
    "deflated_sharpe": 0.9374635130205755,
    "pbo": 0.49106449106449107,
    "probability_of_loss": 0.0018648018648018648,
}
DEFAULT_BASKET_MEMBERS = {"XLI", "XLB", "XLE", "XLK"}


@pytest.fixture(scope="module")
def part(analysis) -> Backtests:
    result = analysis.backtests
    assert isinstance(result, Backtests)
    return result


class TestDefaultThesisReproducesTheReport:
    def test_period(self, part, market) -> None:
        assert part.start == pd.Timestamp("1998-12-22")
        assert part.end == market.prices.index[-1]
        assert part.benchmark == "SPY"
        assert set(part.book_long) == {"XLI", "XLB", "XLE"}
        assert part.book_short == ("XLK",)
        assert part.signal is not None and part.signal.kind == "core_spread"

    @pytest.mark.parametrize("name", sorted(BEFORE))
    def test_tear_sheet(self, part, name) -> None:
        _, cagr, sharpe, max_dd, final = BEFORE[name]
        sheet = part.strategies[name].tear_sheet
        # same core functions on the same inputs: only summation order differs
        np.testing.assert_allclose(
            [sheet.cagr, sheet.sharpe, sheet.max_drawdown, sheet.final_equity],
            [cagr, sharpe, max_dd, final],
            rtol=1e-10,
        )

    def test_sweep_and_walk_forward(self, part) -> None:
        sweep = part.sweep
        assert sweep is not None and sweep.n_variants == 480
        assert sweep.best_variant == BEFORE_SWEEP["best_variant"]
        np.testing.assert_allclose(
            [sweep.best_sharpe, sweep.deflated_sharpe, sweep.pbo],
            [BEFORE_SWEEP[k] for k in ("best_sharpe", "deflated_sharpe", "pbo")],
            rtol=1e-10,
        )
        assert sweep.heatmap.skip == 21
        assert len(part.walk_forward) == 25
        first = part.walk_forward[0]
        assert (first.date, first.lookback, first.skip, first.top_k) == (
            pd.Timestamp("2001-12-31"),
            90,
            21,
            1,
        )

    def test_tilt_matches_an_independent_wiring(self, part, market) -> None:
        # the old report's wiring: the universe panel, the tangible/tech tilt
        prices = market.prices[list(part.universe)].dropna(how="all")
        index = prices.index
        cash = cash_returns(market.known("DFF", index=index), index=index)
        tangible, tech = ["XLI", "XLB", "XLE"], ["XLK"]
        rel = relative_return(prices[tangible], prices[tech], 126)
        signal = (rel > 0).astype(float).where(rel.notna())
        targets = thesis_tilt(
            prices, signal, tangible=tangible, tech=tech, tilt=1.0,
            rebalance="month_end",
        )  # fmt: skip
        ref = backtest(prices, targets, cost_bps=10.0, cash_returns=cash)
        got = part.strategies["thesis_tilt"].result
        np.testing.assert_allclose(
            got.equity.to_numpy(), ref.equity.to_numpy(), rtol=1e-10
        )

    def test_book_is_long_short(self, part) -> None:
        weights = part.strategies["book"].result.weights.iloc[-1]
        np.testing.assert_allclose(weights[["XLI", "XLB", "XLE"]].sum(), 1.0, rtol=0.2)
        assert weights["XLK"] < 0

    def test_json_is_plain_and_light(self, part) -> None:
        text = json.dumps(to_jsonable(part), allow_nan=False)
        assert "NaN" not in text and len(text) < 400_000
        data = json.loads(text)
        assert list(data["strategies"]) == [
            n for n in STRATEGY_NAMES if n in part.strategies
        ]
        assert "result" not in data["strategies"]["book"]
        assert len(data["curves"]["dates"]) == len(
            data["curves"]["equity"]["relative_momentum"]
        )

    def test_select_one_strategy(self, part) -> None:
        one = part.select("relative_momentum")
        assert list(one.strategies) == ["relative_momentum"]
        assert list(one.curves.equity) == ["relative_momentum"]
        with pytest.raises(KeyError, match="available"):
            part.select("nope")


class TestCustomTheses:
    def test_defensive_trades_its_own_baskets(self, custom_analyses) -> None:
        part = custom_analyses["defensive_late_cycle"].backtests
        assert isinstance(part, Backtests)
        assert set(part.book_long) == {"XLP", "XLU", "XLV"}
        assert set(part.book_short) == {"XLY", "XLF"}
        for name in ("thesis_tilt", "book"):
            held = part.strategies[name].result.weights
            assert set(held.columns) == {"XLP", "XLU", "XLV", "XLY", "XLF"}
        assert "defensives" in part.signal.description
        assert "tangible" not in json.dumps(to_jsonable(part))
        # its own universe of nine: the sweep's top-k stops at nine
        assert part.sweep is not None and max(part.sweep.top_k) == 9

    def test_semis_has_no_momentum_and_a_long_only_book(self, custom_analyses):
        part = custom_analyses["semis_capex"].backtests
        assert isinstance(part, Backtests)
        assert set(part.strategies) == {"thesis_tilt", "book"}
        assert part.sweep is None and part.universe == () and part.benchmark is None
        assert any("no universe" in note for note in part.notes)
        for name in ("thesis_tilt", "book"):
            weights = part.strategies[name].result.weights
            assert not set(weights.columns) & DEFAULT_BASKET_MEMBERS
            assert (weights.to_numpy() >= -1e-12).all()  # long only
        assert part.signal is not None and part.signal.kind == "health"
        # long-only tilt: cash (weights sum to 0) while health is off
        tilt = part.strategies["thesis_tilt"].result.weights.sum(axis=1)
        on = part.signal.series.shift(1).fillna(0.0)  # traded the next close
        assert tilt[(on == 0.0).to_numpy()].abs().max() < 1e-12
        assert part.strategies["book"].tear_sheet.beta is None

    def test_omitted_without_book_and_universe(self, market, custom_analyses):
        thesis = custom_analyses["semis_capex"].thesis.model_copy(update={"book": None})
        part = make_analysis(market, thesis).backtests
        assert isinstance(part, Omitted) and "neither a book nor a universe" in (
            part.reason
        )


class TestSettings:
    def test_overrides_reach_momentum(self, market) -> None:
        analysis = make_analysis(
            market,
            config={"backtest.lookback": 63, "backtest.top_k": 2},
            as_of="2012-12-31",
        )
        part = analysis.backtests
        momentum = part.strategies["relative_momentum"]
        assert momentum.params["lookback"] == 63 and momentum.params["top_k"] == 2
        prices = market.prices[list(part.universe)].loc[part.start : part.end]
        prices = prices.dropna(how="all")
        index = prices.index
        cash = cash_returns(market.known("DFF", index=index), index=index)
        ref = backtest(
            prices,
            relative_momentum(prices, lookback=63, top_k=2),
            cost_bps=10.0,
            cash_returns=cash,
        )
        np.testing.assert_allclose(
            momentum.tear_sheet.sharpe, ref.metrics["sharpe"], rtol=1e-10
        )
        assert part.end <= pd.Timestamp("2012-12-31")


def _perturbed(market, cut: pd.Timestamp):
    rng = np.random.default_rng(42)
    prices = market.prices.copy()
    later = prices.index > cut
    prices.loc[later] *= rng.uniform(0.5, 1.5, size=(int(later.sum()), 1))
    return dataclasses.replace(market, prices=prices)


class TestNoLookAhead:
    CUT = pd.Timestamp("2015-06-30")

    def _check(self, before: Backtests, after: Backtests) -> None:
        for name in ("thesis_tilt", "book"):
            a = before.strategies[name].result
            b = after.strategies[name].result
            pd.testing.assert_frame_equal(
                a.weights.loc[: self.CUT], b.weights.loc[: self.CUT]
            )
            pd.testing.assert_series_equal(
                a.equity.loc[: self.CUT], b.equity.loc[: self.CUT]
            )
        pd.testing.assert_series_equal(
            before.signal.series.loc[: self.CUT], after.signal.series.loc[: self.CUT]
        )

    def test_core_spread_signal(self, market, part) -> None:
        after = make_analysis(_perturbed(market, self.CUT)).backtests
        self._check(part, after)

    def test_health_signal(self, market, custom_analyses) -> None:
        before = custom_analyses["semis_capex"]
        thesis = before.thesis
        after = make_analysis(_perturbed(market, self.CUT), thesis).backtests
        self._check(before.backtests, after)

    @pytest.mark.slow
    def test_regime_signal(self, market) -> None:
        spec = load_thesis_file(None)
        thesis = spec.model_copy(
            update={"book": spec.book.model_copy(update={"signal": "regime"})}
        )
        before = make_analysis(market, thesis).backtests
        after = make_analysis(_perturbed(market, self.CUT), thesis).backtests
        assert before.signal.kind == "regime"
        self._check(before, after)


class _FakeApi:
    """The two ApiContext methods the route uses, on the shared Analysis."""

    def __init__(self, analysis) -> None:
        self._analysis = analysis

    def analysis(self, thesis, as_of, settings=None):
        assert not settings  # the shared fixture has the default settings
        return self._analysis

    def cached_json(self, key, model, make):
        from fastapi.responses import Response

        body = model.model_validate(make()).model_dump_json()
        return Response(body, media_type="application/json")


def test_api_prints_the_part(analysis, part) -> None:
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from rotation.web._api_backtest import register

    app = FastAPI()
    register(app, _FakeApi(analysis))
    client = TestClient(app)
    body = client.get("/api/backtest").json()
    assert body["data"] == json.loads(json.dumps(to_jsonable(part)))
    one = client.get("/api/backtest?strategy=relative_momentum").json()
    sheet = one["data"]["strategies"]["relative_momentum"]["tear_sheet"]
    assert sheet == body["data"]["strategies"]["relative_momentum"]["tear_sheet"]
    assert list(one["data"]["strategies"]) == ["relative_momentum"]
