"""The regime model every surface shares, and when it is fitted."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

from rotation.analysis import RegimeConfig
from rotation.regimes import (
    ROTATION_MODEL,
    DirectionRegimes,
    basket_spread_returns,
    make_regime_model,
    regime_inputs,
    regime_probability_series,
)
from rotation.thesis import load_thesis
from rotation.thesis_files import default_thesis_text

THESIS_WITHOUT_REGIMES = """
meta: {title: no regimes}
pillars:
  - id: small_leads_large
    claim: Small caps lead.
    expr: rel_return(IWM, SPY, 63)
    rule: "> 0"
"""
LONG, SHORT = ("XLP", "XLU", "XLV"), ("XLY", "XLF")


def test_one_definition_of_the_model_settings():
    # regime_prob(...) must mean the same model in the Analysis (RegimeConfig,
    # what every surface reads) and in a notebook call with defaults
    signature = inspect.signature(regime_probability_series)
    defaults = {k: signature.parameters[k].default for k in ROTATION_MODEL}
    assert defaults == dict(ROTATION_MODEL)
    assert RegimeConfig().model_params() == dict(ROTATION_MODEL)


def test_regime_inputs_fit_the_shared_model_on_the_legs_given(market):
    cut = market.truncate("2012-12-31")
    extra, model = regime_inputs(
        cut, ["rotation", "tech_leadership", "neutral"], long=LONG, short=SHORT
    )
    assert isinstance(model, DirectionRegimes)
    assert sorted(extra) == ["regime_prob:rotation", "regime_prob:tech_leadership"]
    spread = basket_spread_returns(cut.prices, LONG, SHORT)
    independent = make_regime_model(**ROTATION_MODEL).fit(spread)
    expected = regime_probability_series(cut, model=independent)
    pd.testing.assert_series_equal(extra["regime_prob:rotation"], expected)
    total = extra["regime_prob:rotation"] + extra["regime_prob:tech_leadership"]
    np.testing.assert_allclose(total.dropna(), 1.0, atol=1e-12)


def test_the_analysis_fits_the_same_model_on_its_core_spread(custom_analyses):
    analysis = custom_analyses["defensive_late_cycle"]
    fit = analysis.regime_fit
    assert (fit.long, fit.short) == (LONG, SHORT)
    params = {k: v for k, v in ROTATION_MODEL.items() if k != "method"}
    assert isinstance(fit.model, DirectionRegimes)
    assert fit.model.get_params() == params


def test_nothing_is_fitted_for_a_thesis_that_reads_no_regime(market):
    assert load_thesis(default_thesis_text()).regime_labels() == {"rotation"}
    plain = load_thesis(THESIS_WITHOUT_REGIMES)
    assert plain.regime_labels() == set()
    assert regime_inputs(market, plain.regime_labels()) == ({}, None)


def test_too_short_a_history_gives_no_data_not_an_error(market):
    extra, model = regime_inputs(market.truncate("1999-01-15"))
    # 15 sessions of the spread: no causal volatility yet, so no probability.
    assert extra["regime_prob:rotation"].isna().all()
