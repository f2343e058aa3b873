"""The regime model every surface shares, and when it is fitted."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

from rotation.regimes import (
    ROTATION_MODEL,
    MarkovRegimes,
    basket_spread_returns,
    regime_inputs,
    regime_probability_series,
)
from rotation.thesis import load_thesis
from rotation.thesis_files import default_thesis_text
from rotation.universe import TANGIBLE, TECH

THESIS_WITHOUT_REGIMES = """
meta: {title: no regimes}
pillars:
  - id: small_leads_large
    claim: Small caps lead.
    expr: rel_return(IWM, SPY, 63)
    rule: "> 0"
"""


def test_provider_defaults_are_the_shared_model():
    # regime_prob("rotation") must mean the same model in the report, the CLI,
    # the dashboard and a notebook call with defaults
    signature = inspect.signature(regime_probability_series)
    defaults = {k: signature.parameters[k].default for k in ROTATION_MODEL}
    assert defaults == dict(ROTATION_MODEL)


def test_regime_inputs_fit_the_shared_model(market):
    cut = market.truncate("2012-12-31")
    extra, model = regime_inputs(cut, ["rotation", "tech_leadership", "neutral"])
    assert isinstance(model, MarkovRegimes)
    assert sorted(extra) == ["regime_prob:rotation", "regime_prob:tech_leadership"]
    spread = basket_spread_returns(cut.prices, TANGIBLE, TECH)
    independent = MarkovRegimes(**ROTATION_MODEL).fit(spread)
    expected = regime_probability_series(cut, model=independent)
    pd.testing.assert_series_equal(extra["regime_prob:rotation"], expected)
    total = extra["regime_prob:rotation"] + extra["regime_prob:tech_leadership"]
    np.testing.assert_allclose(total.dropna(), 1.0, atol=1e-12)


def test_nothing_is_fitted_for_a_thesis_that_reads_no_regime(market):
    assert load_thesis(default_thesis_text()).regime_labels() == {"rotation"}
    plain = load_thesis(THESIS_WITHOUT_REGIMES)
    assert plain.regime_labels() == set()
    assert regime_inputs(market, plain.regime_labels()) == ({}, None)


def test_too_short_a_history_gives_no_data_not_an_error(market):
    assert regime_inputs(market.truncate("1999-06-30")) == ({}, None)
