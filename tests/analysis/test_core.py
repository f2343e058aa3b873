"""The analysis layer's own machinery: config, as-of, snapshot, immutability, JSON."""

from __future__ import annotations

import dataclasses
import json
import threading

import numpy as np
import pandas as pd
import pytest

from rotation.analysis import (
    AnalysisConfig,
    AsOfError,
    ConfigError,
    Omitted,
    allowed_settings,
    resolve_as_of,
    to_jsonable,
)
from tests.conftest import make_analysis

SESSIONS = pd.bdate_range("2020-01-01", "2020-12-31")


class TestConfig:
    def test_overrides_replace_one_setting_and_keep_the_rest(self):
        config = AnalysisConfig().with_overrides({"backtest.lookback": "63"})
        assert config.backtest.lookback == 63
        assert config.backtest.top_k == AnalysisConfig().backtest.top_k
        assert config.digest() != AnalysisConfig().digest()
        assert AnalysisConfig().digest() == AnalysisConfig().digest()

    def test_unknown_setting_lists_the_allowed_names(self):
        with pytest.raises(
            ConfigError, match="unknown setting 'backtest.lookbak'.*backtest.lookback"
        ):
            AnalysisConfig().with_overrides({"backtest.lookbak": 126})

    @pytest.mark.parametrize("value", ["x", "1.5", None])
    def test_wrong_type_names_setting_and_value(self, value):
        with pytest.raises(ConfigError, match="'backtest.top_k' must be a int"):
            AnalysisConfig().with_overrides({"backtest.top_k": value})

    def test_every_allowed_setting_round_trips(self):
        default = AnalysisConfig()
        for name in allowed_settings():
            group, key = name.split(".")
            value = getattr(getattr(default, group), key)
            assert default.with_overrides({name: value}) == default


class TestAsOf:
    def test_weekend_snaps_to_the_friday_before(self):
        assert resolve_as_of("2020-06-07", SESSIONS) == pd.Timestamp("2020-06-05")

    def test_none_and_empty_mean_the_last_session(self):
        assert resolve_as_of(None, SESSIONS) == SESSIONS[-1]
        assert resolve_as_of(" ", SESSIONS) == SESSIONS[-1]

    @pytest.mark.parametrize(
        ("value", "words"),
        [
            ("2030-01-01", "after the last date"),
            ("1990-01-01", "before the first date"),
            ("2020-13-45", "must be a date YYYY-MM-DD|not a valid calendar date"),
            ("notadate", "must be a date YYYY-MM-DD"),
            ("2020-02-30", "not a valid calendar date"),
            ("0000-01-01", "not a valid calendar date"),
        ],
    )
    def test_refusals_name_value_and_range(self, value, words):
        with pytest.raises(AsOfError, match=words) as info:
            resolve_as_of(value, SESSIONS)
        assert "2020-01-01 .. 2020-12-31" in str(info.value)


class TestSnapshotAndAnalysis:
    def test_coverage_states_no_date_after_as_of(self, market):
        analysis = make_analysis(market, as_of="2022-06-30")
        table = analysis.coverage.table
        assert table["last"].max() == "2022-06-30"
        assert (table["last"] <= "2022-06-30").all()
        # a symbol that listed later is absent, not dated in the future
        assert "GEV" not in set(table["id"])

    def test_analysis_is_immutable(self, market):
        analysis = make_analysis(market, as_of="2022-06-30")
        with pytest.raises(AttributeError, match="immutable"):
            analysis.thesis = None  # type: ignore[misc]

    def test_a_part_is_computed_once_even_under_threads(self, market):
        analysis = make_analysis(market, as_of="2021-12-31")
        seen = []
        threads = [
            threading.Thread(target=lambda: seen.append(analysis.regime_fit))
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(s is seen[0] for s in seen)

    def test_unknown_part_names_the_parts(self, market):
        with pytest.raises(KeyError, match="unknown part 'nope'.*thesis_check"):
            make_analysis(market).part("nope")


class TestJson:
    def test_encodes_results_the_same_way_everywhere(self):
        @dataclasses.dataclass(frozen=True)
        class Part:
            when: pd.Timestamp
            value: float
            series: pd.Series
            hidden: object = dataclasses.field(default=None, repr=False)

        part = Part(
            pd.Timestamp("2020-01-02"),
            float("nan"),
            pd.Series(
                [1.0, np.nan], index=pd.to_datetime(["2020-01-02", "2020-01-03"])
            ),
            hidden=object(),
        )
        encoded = to_jsonable(part)
        assert encoded == {
            "when": "2020-01-02",
            "value": None,
            "series": {"dates": ["2020-01-02", "2020-01-03"], "values": [1.0, None]},
        }
        json.dumps(encoded, allow_nan=False)

    def test_omitted_carries_its_reason(self):
        assert to_jsonable(Omitted("rrg", "no universe")) == {
            "part": "rrg",
            "reason": "no universe",
        }
