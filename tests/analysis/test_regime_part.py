"""The regimes part: the one regime model on the thesis's own core spread."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from rotation.analysis import AnalysisConfig, ConfigError, Omitted, to_jsonable
from rotation.regimes import (
    DIRECTION_CALIBRATION,
    DIRECTION_MODEL,
    DirectionRegimes,
    basket_spread_returns,
    rotation_components,
    rotation_score,
)
from rotation.thesis import evaluate, load_thesis
from tests.conftest import make_analysis

# Reference: report.json of the report before the Analysis refactor (default
# thesis, bundled data as of 2026-08-03), computed by the old regimes section
# with its own wiring (its labels were the model's internal names).
BEFORE_PROBABILITY = 0.05858937018583945
BEFORE_EPISODES = [
    ("rotation", "2021-01-06", "2021-08-10", 150, 0.0060510839262164495),
    ("tech_leadership", "2021-08-11", "2022-01-07", 105, 0.017625419798456443),
    ("rotation", "2022-01-10", "2023-03-21", 300, 0.14155471266346664),
    ("tech_leadership", "2023-03-22", "2024-04-17", 270, -0.14430207171986875),
    ("rotation", "2024-04-18", "2024-06-13", 40, -0.1385793579518224),
    ("tech_leadership", "2024-06-14", "2024-11-19", 110, 0.04085122881668091),
    ("rotation", "2024-11-20", "2024-12-26", 25, -0.10550565819850721),
    ("tech_leadership", "2024-12-27", "2025-03-19", 55, 0.1493204664937069),
    ("rotation", "2025-03-20", "2025-06-23", 65, -0.1207631247853368),
    ("tech_leadership", "2025-06-24", "2026-01-20", 145, -0.046115356135047025),
    ("rotation", "2026-01-21", "2026-05-29", 90, -0.1933740331642787),
    ("tech_leadership", "2026-06-01", "2026-08-03", 44, 0.0945445816615107),
]
BEFORE_MODEL = {
    "method": "markov",
    "n_regimes": 2,
    "refit": "Q",
    "window": "expanding",
    "min_observations": 52,
    "sampling_interval": 5,
    "trailing_blocks": 22,
    "structure": "direction_volatility",
    "transition": "kronecker",
    "engine": "em",
    "refits": 106,
}
BEFORE_SCORE = 0.2560644357142311
BEFORE_WEIGHTS = {
    "tangible_vs_tech": 0.35,
    "small_vs_large": 0.2,
    "value_vs_growth": 0.2,
    "copper_trend": 0.15,
    "ai_correlation": 0.1,
}
DEFAULT_LABELS = {"rotation": "rotation", "tech_leadership": "tech leadership"}

NO_CORE_SPREAD = """
meta: {title: no core spread}
baskets:
  small: {members: [IWM]}
  large: {members: [SPY]}
pillars:
  - id: small_leads_large
    claim: Small caps lead.
    expr: rel_return(small, large, 63)
    rule: "> 0"
"""
ONLY_CORE_SPREAD = """
meta: {title: only a core spread}
baskets:
  small: {members: [IWM]}
  large: {members: [SPY]}
core_spread: {long: small, short: large, long_label: small lead, short_label: large lead}
pillars:
  - id: small_leads_large
    claim: Small caps lead.
    expr: rel_return(small, large, 63)
    rule: "> 0"
"""


MARKOV = {"regimes.method": "markov"}


@pytest.fixture(scope="module")
def markov_analysis(market):
    """The previous default model (direction x volatility Markov), by setting."""
    return make_analysis(market, None, MARKOV)


@pytest.fixture(scope="module")
def part(markov_analysis):
    return markov_analysis.regimes


class TestMarkovSettingReproducesTheReport:
    """``regimes.method = "markov"`` still gives the report before issue 15."""

    def test_current_probability_and_state(self, part):
        # filtered P(long leads) is deterministic given the data: 1e-12
        np.testing.assert_allclose(
            part.current.probability, BEFORE_PROBABILITY, rtol=1e-12
        )
        assert part.current.state == "tech leadership"
        assert set(part.current.probabilities) == {"rotation", "tech leadership"}
        np.testing.assert_allclose(
            sum(part.current.probabilities.values()), 1.0, atol=1e-12
        )
        assert part.current.date == pd.Timestamp("2026-08-03")

    def test_model_settings_and_refits(self, part):
        assert part.model == BEFORE_MODEL
        assert part.failed_refits == 0 and part.warnings == ()
        assert (part.long_members, part.short_members) == (
            ("XLI", "XLB", "XLE"),
            ("XLK",),
        )
        assert part.first_date == pd.Timestamp("1998-12-23")

    def test_episodes(self, part):
        episodes = part.episodes
        shown = episodes[episodes["length"] >= part.min_episode_sessions].tail(12)
        assert part.min_episode_sessions == 20
        for row, (regime, start, end, length, spread) in zip(
            shown.itertuples(), BEFORE_EPISODES, strict=True
        ):
            assert row.regime == DEFAULT_LABELS[regime]
            assert (row.start, row.end) == (pd.Timestamp(start), pd.Timestamp(end))
            assert row.length == length
            np.testing.assert_allclose(row.spread_return, spread, rtol=1e-12)

    def test_member_returns_are_buy_and_hold_over_the_episode(self, part, market):
        # Reference: the member's price ratio over the episode (end close over
        # the close before the first session), not the code's compounding. The
        # old report lost the move across equity holidays that futures traded
        # (e.g. XLK 2025-06-24..2026-01-20: +18.06% there, +17.13% here).
        episodes = part.episodes.tail(12)
        assert [c for c in episodes.columns[6:]] == [
            "XLK", "XLI", "XLB", "XLE", "XLF", "XLV", "XLY", "XLP", "XLU", "XLRE", "XLC"
        ]  # fmt: skip
        for row in episodes.itertuples():
            for symbol in ("XLK", "XLE", "XLRE"):
                price = market.prices[symbol].dropna()
                before = price.loc[: row.start].iloc[-2]
                expected = price.loc[row.end] / before - 1.0
                np.testing.assert_allclose(getattr(row, symbol), expected, rtol=1e-10)

    def test_change_points(self, part):
        changes = part.change_points
        assert changes.latest_alarm == pd.Timestamp("2026-06-05")
        assert (changes.n_alarms, changes.map_run_length) == (32, 42)
        assert len(changes.alarms) == 32

    def test_weekly_probability(self, part):
        weekly = part.probability_weekly
        assert len(weekly) == 1366
        assert weekly.index[0] == pd.Timestamp("2000-06-09")
        np.testing.assert_allclose(weekly.iloc[-1], BEFORE_PROBABILITY, rtol=1e-12)
        assert "probability" not in to_jsonable(part)  # daily series: charts only

    def test_probability_is_the_thesis_pillar_value(
        self, markov_analysis, part, market
    ):
        # regime_prob("rotation") read by the thesis language, independently
        # evaluated on the Analysis's regime series
        analysis = markov_analysis
        evaluation = evaluate(analysis.thesis, market, extra=analysis.thesis_extra)
        pillar = evaluation.pillar("rotation_regime")
        np.testing.assert_allclose(pillar.value, part.current.probability, rtol=1e-12)

    def test_score_components_are_the_reports(self, part, market):
        # The thesis gives the report's five components under its own names
        # (plus its oil_vs_gas and copper_vs_gold pairs); with the report's
        # weights they give the report's score.
        score = part.score
        names = list(score.components["component"])
        assert names == [
            "tangible_vs_tech", "small_vs_large", "value_vs_growth", "oil_vs_gas",
            "copper_vs_gold", "copper_trend", "ai_large_correlation",
        ]  # fmt: skip
        weights = dict(zip(names, score.components["weight"], strict=True))
        assert weights["tangible_vs_tech"] == 0.35 and weights["oil_vs_gas"] == 0.1
        before = rotation_components(market)  # the report's components
        thesis = rotation_components(
            market,
            pairs={
                "tangible_vs_tech": (("XLI", "XLB", "XLE"), ("XLK",)),
                "small_vs_large": (("IWM",), ("SPY",)),
                "value_vs_growth": (("IWD",), ("IWF",)),
            },
            correlation_baskets={
                "ai_correlation": (
                    "NVDA",
                    "MSFT",
                    "GOOGL",
                    "META",
                    "AMZN",
                    "AVGO",
                    "ORCL",
                )
            },
        )
        pd.testing.assert_frame_equal(thesis, before[thesis.columns], rtol=1e-12)
        result = rotation_score(thesis, weights=BEFORE_WEIGHTS)
        np.testing.assert_allclose(result.current["score"], BEFORE_SCORE, rtol=1e-10)
        total = score.components["contribution"].sum()
        np.testing.assert_allclose(total, score.score, rtol=1e-12)
        assert (
            score.components.set_index("component").loc["ai_large_correlation", "sign"]
            == -1
        )


class TestCustomTheses:
    @pytest.mark.parametrize(
        ("name", "labels", "legs"),
        [
            ("defensive_late_cycle", ("defensive", "cyclical"), (("XLP", "XLU", "XLV"), ("XLY", "XLF"))),
            ("semis_capex", ("semis lead", "semis lag"), (("SMH", "SOXX"), ("QQQ",))),
        ],
    )  # fmt: skip
    def test_fit_on_their_own_core_spread(
        self, custom_analyses, market, name, labels, legs
    ):
        analysis = custom_analyses[name]
        part = analysis.regimes
        assert (part.long_label, part.short_label) == labels
        assert (part.long_members, part.short_members) == legs
        expected = basket_spread_returns(market.prices, *legs)
        pd.testing.assert_series_equal(analysis.regime_fit.spread, expected)
        assert part.current.state in labels
        assert set(part.current.probabilities) == set(labels)
        assert set(part.episodes["regime"]) <= set(labels)
        text = json.dumps(to_jsonable(part))
        for word in ("tech leadership", "tech_leadership", "rotation", "tangible"):
            assert word not in text
        assert part.current.probability != pytest.approx(BEFORE_PROBABILITY)

    def test_score_components_come_from_the_thesis(self, custom_analyses):
        defensive = custom_analyses["defensive_late_cycle"].regimes.score
        table = defensive.components.set_index("component")
        assert list(table.index) == [
            "defensives_vs_cyclicals", "duration_vs_broad_market", "defensives_correlation"
        ]  # fmt: skip
        # "avg_corr(defensives, 63) < 0.6": a higher correlation counts against
        assert table.loc["defensives_correlation", "sign"] == -1
        semis = custom_analyses["semis_capex"].regimes.score.components
        assert list(semis["component"]) == [
            "chipmakers_vs_nasdaq",
            "chip_stocks_correlation",
        ]
        assert list(semis["sign"]) == [1, 1]  # "> 0.5": moving together is the thesis

    def test_no_universe_no_member_columns(self, custom_analyses):
        episodes = custom_analyses["semis_capex"].regimes.episodes
        assert list(episodes.columns) == [
            "regime",
            "start",
            "end",
            "length",
            "spread_return",
            "agrees",
        ]


class TestOmitted:
    def test_no_core_spread(self, market):
        part = make_analysis(market, load_thesis(NO_CORE_SPREAD)).regimes
        assert isinstance(part, Omitted) and "core spread" in part.reason

    def test_too_short_a_history(self, analysis, market):
        part = make_analysis(market, analysis.thesis, as_of="1999-01-29").regimes
        assert isinstance(part, Omitted) and "tangible vs tech" in part.reason
        markov = make_analysis(market, analysis.thesis, MARKOV, as_of="1999-06-30")
        assert isinstance(markov.regimes, Omitted)

    def test_score_needs_a_second_component(self, market):
        analysis = make_analysis(
            market,
            load_thesis(ONLY_CORE_SPREAD),
            {"regimes.refit": "Y"},
            as_of="2010-12-31",
        )
        part = analysis.regimes
        assert part.current.state in ("small lead", "large lead")
        assert isinstance(part.score, Omitted)
        assert "spreads" in part.score.reason and "avg_corr" in part.score.reason


CUT = pd.Timestamp("2015-12-31")


@pytest.fixture(scope="module")
def pair(market):
    """The default part with yearly refits, on the data and with prices after CUT changed."""
    config = {"regimes.refit": "Y"}
    rng = np.random.default_rng(42)
    prices = market.prices.copy()
    later = prices.index > CUT
    noise = np.exp(rng.normal(0.0, 0.02, size=(int(later.sum()), prices.shape[1])))
    prices.loc[later] = prices.loc[later].to_numpy() * noise.cumprod(axis=0)
    perturbed = dataclasses.replace(market, prices=prices)
    return (
        make_analysis(market, None, config).regimes,
        make_analysis(perturbed, None, config).regimes,
    )


class TestNoLookAhead:
    def test_changing_data_after_t_leaves_values_up_to_t(self, pair):
        base, changed = pair
        cut = slice(None, CUT)
        pd.testing.assert_series_equal(
            base.probability.loc[cut], changed.probability.loc[cut]
        )
        pd.testing.assert_series_equal(
            base.score.history.loc[cut], changed.score.history.loc[cut]
        )
        assert [a for a in base.change_points.alarms if a <= CUT] == [
            a for a in changed.change_points.alarms if a <= CUT
        ]
        assert not base.probability.loc[CUT:].equals(changed.probability.loc[CUT:])

    def test_as_of_t_equals_the_full_history_at_t(self, pair, market):
        base, _ = pair
        early = make_analysis(market, None, {"regimes.refit": "Y"}, as_of=CUT).regimes
        assert early.as_of <= CUT and early.current.date <= CUT
        np.testing.assert_allclose(
            early.current.probability,
            base.probability.loc[early.current.date],
            rtol=1e-12,
        )
        assert early.probability_weekly.index[-1] <= CUT


class TestRefitSetting:
    def test_bad_refit_lists_the_allowed_values(self):
        with pytest.raises(ConfigError, match="'regimes.refit'.*W, M, Q, Y"):
            AnalysisConfig().with_overrides({"regimes.refit": "Z"})

    def test_refit_in_blocks(self):
        config = AnalysisConfig().with_overrides(
            {"regimes.refit": "13", "regimes.method": "markov"}
        )
        assert config.regimes.model_params()["refit"] == 13


class TestDirectionModel:
    """The default model: the sticky direction filter; since when, how sure."""

    def test_probability_is_the_filter_on_the_core_spread(self, analysis, market):
        # Independent path: the spread and the estimator called directly.
        spread = basket_spread_returns(market.prices, ("XLI", "XLB", "XLE"), ("XLK",))
        expected = DirectionRegimes(**DIRECTION_MODEL).fit(spread)
        part = analysis.regimes
        pd.testing.assert_series_equal(
            part.probability,
            expected.filtered_probabilities_["rotation"].rename("probability"),
            rtol=1e-12,
        )
        assert part.model["method"] == "direction" and part.model["refits"] == 0
        evaluation = evaluate(analysis.thesis, market, extra=analysis.thesis_extra)
        pillar = evaluation.pillar("rotation_regime")
        np.testing.assert_allclose(pillar.value, part.current.probability, rtol=1e-12)

    def test_since_when_is_the_current_run_of_the_filtered_label(self, analysis):
        part = analysis.regimes
        current = part.current
        label = (part.probability > 0.5).dropna()
        label = label[part.probability.notna()]
        # walk back from the last session while the label is unchanged
        run = 0
        while label.iloc[-1 - run] == label.iloc[-1]:
            run += 1
        assert current.sessions_since == run
        assert current.since == label.index[-run]
        spread = analysis.regime_fit.spread
        expected = float(np.prod(1.0 + spread.loc[current.since :].to_numpy()) - 1.0)
        np.testing.assert_allclose(current.spread_since, expected, rtol=1e-12)
        assert (
            current.calibrated_rate
            == DIRECTION_CALIBRATION[int(current.probability * 10)]
        )
        assert current.evidence in ("weak", "moderate", "strong")
        # 2026-08-03: P = 0.48, a one-session-old run: weak, and it says why.
        assert current.evidence == "weak" and "near even" in current.evidence_note

    def test_episodes_mark_disagreement(self, analysis):
        episodes = analysis.regimes.episodes
        long_leads = episodes["regime"] == "rotation"
        expected = long_leads == (episodes["spread_return"] > 0)
        assert episodes["agrees"].tolist() == expected.tolist()

    def test_hindsight_is_labelled_and_never_an_input(
        self, analysis, market, monkeypatch
    ):
        part = analysis.regimes
        assert part.hindsight.hindsight is True
        assert to_jsonable(part)["hindsight"]["hindsight"] is True
        # Another dating (other rules) changes the hindsight part only.
        import rotation.analysis._regimes as module

        original = module.date_phases
        monkeypatch.setattr(
            module, "date_phases", lambda s: original(s, min_amplitude=0.3)
        )
        other = make_analysis(market).regimes
        assert not other.hindsight.phases.equals(part.hindsight.phases)
        pd.testing.assert_series_equal(other.probability, part.probability)
        pd.testing.assert_frame_equal(other.episodes, part.episodes)
        assert other.current == part.current

    def test_bad_method(self):
        with pytest.raises(ConfigError, match="'regimes.method'"):
            AnalysisConfig().with_overrides({"regimes.method": "hmm"})
