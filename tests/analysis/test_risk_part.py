"""The risk part: the thesis's book under the thesis's own risks."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest

from rotation.analysis import ConfigError, Omitted, to_jsonable
from rotation.analysis._risk import RiskPart, parse_weights, thesis_book
from rotation.risk import MARKET_FACTORS
from rotation.thesis import SHOCK_FACTORS, load_thesis
from rotation.thesis._spec import Book
from rotation.thesis_files import default_thesis_text
from tests.conftest import make_analysis

# Reference: report.json of the report before the Analysis refactor (default
# thesis, bundled data as of 2026-08-03, section "risk"), when the section
# wired the book and scenarios itself. Same data, same formulas, so the
# tolerances are float noise: the basket factors now go through
# rotation.indicators.basket_returns (weighted sum / weight sum instead of a
# NaN-skipping mean), which moves the betas by ~1e-16.
# (method, level, horizon, VaR, CVaR), window 1,000 daily returns.
REFERENCE_VAR = [
    ("historical", 0.95, 1, 0.021737554477939975, 0.02901667543558211),
    ("historical", 0.95, 10, 0.07871423692607185, 0.09733666819082874),
    ("historical", 0.99, 1, 0.03475696180176143, 0.04088704128313776),
    ("historical", 0.99, 10, 0.11136282618022036, 0.1170051163645015),
    ("normal", 0.95, 1, 0.021971713992552214, 0.027452527969901892),
    ("normal", 0.95, 10, 0.07219614525635629, 0.08952800085646778),
    ("normal", 0.99, 1, 0.030910474629476048, 0.03535518589514841),
    ("normal", 0.99, 10, 0.100462988328093, 0.11451839946942742),
    ("cornish_fisher", 0.95, 1, 0.021461097796097974, 0.029015431790294772),
    ("cornish_fisher", 0.95, 10, 0.07187752141506015, 0.08970960820704775),
    ("cornish_fisher", 0.99, 1, 0.0335391407879388, 0.04127750468346092),
    ("cornish_fisher", 0.99, 10, 0.10088772312987969, 0.11581989854222702),
    ("ewma_normal", 0.95, 1, 0.03518455100718584, 0.04412284643432392),
    ("ewma_normal", 0.95, 10, 0.11126331963307862, 0.13952869158230255),
    ("ewma_normal", 0.99, 1, 0.049762181931257726, 0.05701076627385558),
    ("ewma_normal", 0.99, 10, 0.1573618362424509, 0.1802838725768944),
    ("monte_carlo_bootstrap", 0.95, 1, 0.021737554477939975, 0.02906738790859037),
    ("monte_carlo_bootstrap", 0.95, 10, 0.06980728365381679, 0.08643492891288507),
    ("monte_carlo_bootstrap", 0.99, 1, 0.03376138690979591, 0.04095581350271146),
    ("monte_carlo_bootstrap", 0.99, 10, 0.09712046066509196, 0.1105477708786394),
]
REFERENCE_PNL = {
    "fed_reversal": -0.016897408171982927,
    "sticky_inflation": -0.013834740057534108,
    "copper_cliff": 0.09969011159014382,
    "tech_rebound": -0.2,
}
# Replays (total return, max drawdown); "thesis_2026" is now "since_thesis"
# (from the thesis's own date, 2026-01-02 for the default: same window).
REFERENCE_REPLAYS = [
    (1.7996769537088269, -0.27980114790188715),
    (0.02423972278433295, -0.19443705427742952),
    (-0.2057900149217532, -0.23208708169909065),
    (0.47111456352198533, -0.17566724979988035),
    (-0.06593134807362322, -0.3431801185015856),
]
REFERENCE_CALIBRATION = {
    "historical": (74, 0.2417683418781617),
    "normal": (103, 8.879347237162507e-06),
    "cornish_fisher": (69, 0.5715953068030828),
    "ewma_normal": (99, 6.018834341987434e-05),
}
DEFAULT_NAMES = (
    "fed_reversal",
    "sticky_inflation",
    "copper_cliff",
    "tech_rebound",
    "tangible",
    "tech",
    "ai_infra",
)


@pytest.fixture(scope="module")
def part(analysis) -> RiskPart:
    result = analysis.risk
    assert isinstance(result, RiskPart)
    return result


class TestReference:
    def test_var_table_matches_the_report_before(self, part):
        table = part.var_table.set_index(["method", "level", "horizon"])
        assert len(table) == len(REFERENCE_VAR)
        for method, level, horizon, var, cvar in REFERENCE_VAR:
            row = table.loc[(method, level, horizon)]
            np.testing.assert_allclose(
                [row["var"], row["cvar"]], [var, cvar], rtol=1e-10
            )
            assert row["n_observations"] == 1000
            assert (row["start"], row["end"]) == ("2022-08-08", "2026-08-03")
        # The one VaR the summary, the CLI and the API quote.
        np.testing.assert_allclose(part.var[0.99], 0.03475696180176143, rtol=1e-10)
        np.testing.assert_allclose(part.cvar[0.99], 0.04088704128313776, rtol=1e-10)
        assert "VaR is 3.5% of capital" in part.summary

    def test_scenario_pnl_matches_the_report_before(self, part):
        assert [s.name for s in part.scenarios] == list(REFERENCE_PNL)
        for scenario in part.scenarios:
            np.testing.assert_allclose(
                scenario.pnl, REFERENCE_PNL[scenario.name], rtol=1e-9, atol=1e-12
            )
            assert scenario.exposure.end == "2026-08-03"
            assert scenario.exposure.n_observations == 151
        copper = part.scenarios[2]
        assert copper.units == {"copper": "return", "ai_infra": "return"}

    def test_replays_calibration_factors_regimes(self, part):
        for (_, row), (total, drawdown) in zip(
            part.replays.iterrows(), REFERENCE_REPLAYS, strict=True
        ):
            np.testing.assert_allclose(
                [row["total_return"], row["max_drawdown"]],
                [total, drawdown],
                rtol=1e-10,
            )
        assert part.replays["name"].iloc[-1] == "since_thesis"
        for method, (hits, p_value) in REFERENCE_CALIBRATION.items():
            calib = part.calibration[method]
            assert calib.n_exceedances == hits and calib.n_observations == 6443
            np.testing.assert_allclose(calib.p_value, p_value, rtol=1e-9)
        hml = part.factors.attribution.table.loc["HML", "coef"]
        np.testing.assert_allclose(hml, 0.7625515324524301, rtol=1e-9)
        regimes = part.regime_risk.table.set_index("regime")
        np.testing.assert_allclose(
            regimes.loc["NBER recession", "var"], 0.02092656813660132, rtol=1e-10
        )


class TestThesisDrivesTheBook:
    def test_default_book_is_tangible_long_tech_short(self, part):
        assert part.book.source == "thesis"
        assert part.book.weights == pytest.approx(
            {"XLI": 1 / 3, "XLB": 1 / 3, "XLE": 1 / 3, "XLK": -1.0}, abs=1e-15
        )
        assert part.book.label == "long tangible, short tech"

    def test_weighted_baskets_and_short_weight(self, analysis):
        spec = analysis.thesis
        baskets = dict(spec.baskets)
        baskets["tangible"] = baskets["tangible"].model_copy(
            update={"weights": {"XLI": 2.0, "XLB": 1.0, "XLE": 1.0}}
        )
        thesis = spec.model_copy(
            update={
                "baskets": baskets,
                "book": Book(long="tangible", short="ai_infra", short_weight=0.5),
            }
        )
        book = thesis_book(thesis)
        assert book.weights["XLI"] == pytest.approx(0.5)
        assert book.weights["XLE"] == pytest.approx(0.25)
        assert book.weights["NVDA"] == pytest.approx(-0.5 / 8)
        assert sum(book.weights.values()) == pytest.approx(0.5)
        assert book.label == "long tangible, short ai_infra at 0.5"

    @pytest.mark.parametrize(
        ("name", "scenarios"),
        [
            ("defensive_late_cycle", ["soft_landing_melt_up", "bond_selloff"]),
            ("semis_capex", ["capex_digestion"]),
        ],
    )
    def test_custom_theses_get_their_own_scenarios(
        self, custom_analyses, name, scenarios
    ):
        part = custom_analyses[name].risk
        assert [s.name for s in part.scenarios] == scenarios
        assert all(s.pnl is not None for s in part.scenarios)
        text = json.dumps(to_jsonable(part))
        for word in DEFAULT_NAMES:
            assert not re.search(rf"\b{word}\b", text), word
        assert all(s.name in part.summary for s in part.scenarios)

    def test_exact_books_give_exact_pnl(self, custom_analyses):
        # defensives - cyclicals is exactly the book: betas +1/-1, broad market
        # 0, so the melt-up costs 12% - 2%. The semis book is chip_stocks.
        defensive = custom_analyses["defensive_late_cycle"].risk
        melt_up = defensive.scenarios[0]
        np.testing.assert_allclose(melt_up.pnl, -0.10, atol=1e-10)
        np.testing.assert_allclose(melt_up.exposure.r_squared, 1.0, atol=1e-10)
        semis = custom_analyses["semis_capex"].risk
        assert semis.book.short is None and min(semis.book.weights.values()) > 0
        chips = dict.fromkeys(("NVDA", "AMD", "AVGO", "TSM"), 0.25)
        assert semis.book.weights == pytest.approx(chips)
        np.testing.assert_allclose(semis.scenarios[0].pnl, -0.25, atol=1e-10)

    def test_no_book_is_omitted(self, market, analysis):
        thesis = analysis.thesis.model_copy(update={"book": None})
        result = make_analysis(market, thesis).risk
        assert isinstance(result, Omitted) and "book" in result.reason

    def test_no_scenarios_is_an_empty_block_not_the_default(self, market, analysis):
        thesis = analysis.thesis.model_copy(update={"risks": ()})
        config = {"risk.mc_paths": 1000}
        result = make_analysis(market, thesis, config).risk
        assert result.scenarios == () and "no risk scenarios" in result.scenarios_note
        assert "named risks" not in result.summary

    def test_unknown_shock_fails_at_load(self):
        text = default_thesis_text().replace(
            "shocks: {DGS2: 75}", "shocks: {DGS2: 75, bitcoin: -0.5}"
        )
        assert "bitcoin" in text
        with pytest.raises(
            ValueError, match=r"unknown shock factor\(s\) \['bitcoin'\]"
        ):
            load_thesis(text)

    def test_market_factors_are_the_thesis_shock_factors(self):
        assert MARKET_FACTORS == tuple(SHOCK_FACTORS)


class TestSettings:
    def test_weights_override_the_thesis_book(self, market):
        config = {"risk.weights": "XLI:0.5,xlk=-0.5", "risk.mc_paths": 1000}
        part = make_analysis(market, config=config).risk
        assert part.book.source == "setting"
        assert part.book.weights == {"XLI": 0.5, "XLK": -0.5}
        assert [s.name for s in part.scenarios] == list(REFERENCE_PNL)

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("XLI", "SYMBOL:WEIGHT"),
            ("XLI:x", "SYMBOL:WEIGHT"),
            ("XLI:1,xli:2", "each symbol once"),
            ("XLI:0", "all zero"),
            ("XLI:1e300", "outside"),
        ],
    )
    def test_bad_weights(self, text, match):
        with pytest.raises(ConfigError, match=match):
            parse_weights(text)

    def test_weights_without_prices(self, market):
        part = make_analysis(market, config={"risk.weights": "NOPE:1"})
        with pytest.raises(ConfigError, match="without prices.*NOPE"):
            part.risk  # noqa: B018

    def test_var_window_is_the_setting(self, market):
        config = {"risk.var_window": 500, "risk.mc_paths": 1000}
        part = make_analysis(market, config=config).risk
        assert set(part.var_table["n_observations"]) == {500}
        assert part.var_window == 500


class TestPointInTime:
    def test_past_as_of_states_no_later_date(self, market):
        part = make_analysis(market, as_of="2022-06-30").risk
        text = json.dumps(to_jsonable(part))
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", text)
        assert dates and max(dates) <= "2022-06-30"
        assert "since_thesis" not in set(part.replays["name"])

    def test_later_data_does_not_change_the_part(self, market):
        cut = pd.Timestamp("2021-06-30")
        prices = market.prices.copy()
        prices.loc[prices.index > cut] *= 1.5
        changed = dataclasses.replace(market, prices=prices)
        config = {"risk.mc_paths": 2000}
        a = make_analysis(market, config=config, as_of=cut).risk
        b = make_analysis(changed, config=config, as_of=cut).risk
        assert json.dumps(to_jsonable(a)) == json.dumps(to_jsonable(b))

    def test_too_early_is_omitted(self, market):
        result = make_analysis(market, as_of="1999-06-30").risk
        assert isinstance(result, Omitted) and "daily returns" in result.reason
