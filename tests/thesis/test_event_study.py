from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.thesis import (
    event_study,
    fama_french_index,
    forward_relative_return,
    history,
    load_thesis,
    thesis_event_study,
)
from rotation.thesis._spec import Basket
from rotation.thesis_files import default_thesis_text


@pytest.fixture()
def levels():
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2020-01-01", periods=400)
    long = pd.Series(100 * np.cumprod(1 + rng.normal(0.001, 0.01, 400)), index=idx)
    short = pd.Series(100 * np.cumprod(1 + rng.normal(0.0, 0.01, 400)), index=idx)
    return long, short


class TestReference:
    def test_forward_relative_return_vs_loop(self, levels):
        long, short = levels
        got = forward_relative_return(long, short, 21).to_numpy()
        lv, sv = long.to_numpy(), short.to_numpy()
        for t in range(len(lv)):
            if t + 21 >= len(lv):
                assert np.isnan(got[t])
            else:
                expected = (lv[t + 21] / lv[t]) / (sv[t + 21] / sv[t]) - 1
                np.testing.assert_allclose(got[t], expected, rtol=1e-12)

    def test_conditional_statistics_by_hand(self, levels):
        long, short = levels
        condition = pd.Series(np.arange(400) % 50 < 20, index=long.index)
        res = event_study(condition, long, short, horizons=(5, 21), n_boot=200)
        lv, sv = long.to_numpy(), short.to_numpy()
        for h in (5, 21):
            picked = [
                (lv[t + h] / lv[t]) / (sv[t + h] / sv[t]) - 1
                for t in range(400 - h)
                if condition.iloc[t]
            ]
            row = res.table.loc[h]
            assert row["n_days"] == len(picked)
            np.testing.assert_allclose(row["mean"], np.mean(picked), rtol=1e-12)
            np.testing.assert_allclose(row["median"], np.median(picked), rtol=1e-12)
            np.testing.assert_allclose(
                row["hit_rate"], np.mean(np.array(picked) > 0), rtol=1e-12
            )
            assert row["n_independent"] == pytest.approx(len(picked) / h)

    def test_episodes_by_hand(self, levels):
        long, short = levels
        flags = np.zeros(400, dtype=bool)
        flags[10:20] = True
        flags[100:101] = True
        flags[390:] = True
        res = event_study(
            pd.Series(flags, index=long.index), long, short, horizons=(5,), n_boot=50
        )
        ep = res.episodes
        assert list(ep["length"]) == [10, 1, 10]
        assert ep["start"].iloc[0] == long.index[10]
        assert ep["end"].iloc[0] == long.index[19]
        expected = (long.iloc[19] / long.iloc[10]) / (
            short.iloc[19] / short.iloc[10]
        ) - 1
        np.testing.assert_allclose(ep["outcome"].iloc[0], expected, rtol=1e-12)

    def test_fama_french_index_vs_cumprod(self, market):
        basket = Basket(members=("FF_IND_MANUF", "FF_IND_ENRGY"))
        got = fama_french_index(market, basket)
        r = pd.concat([market.series[m]["value"] for m in basket.members], axis=1)
        expected = 100 * (1 + r.mean(axis=1)).cumprod() / (1 + r.mean(axis=1).iloc[0])
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9)
        assert got.index[0] == pd.Timestamp("1926-07-01")


class TestProperties:
    def test_constant_returns_give_degenerate_interval(self):
        idx = pd.bdate_range("2020-01-01", periods=300)
        long = pd.Series(1.001 ** np.arange(300), index=idx)
        res = event_study(
            pd.Series(True, index=idx), long, None, horizons=(10,), n_boot=100
        )
        row = res.table.loc[10]
        expected = 1.001**10 - 1
        np.testing.assert_allclose(
            [row["ci_low"], row["mean"], row["ci_high"]], expected, rtol=1e-9
        )
        assert row["hit_rate"] == 1.0

    def test_seeded_and_interval_brackets_mean(self, levels):
        long, short = levels
        cond = pd.Series(np.arange(400) % 3 == 0, index=long.index)
        a = event_study(cond, long, short, seed=3, horizons=(21,))
        b = event_study(cond, long, short, seed=3, horizons=(21,))
        pd.testing.assert_frame_equal(a.table, b.table)
        row = a.table.loc[21]
        assert row["ci_low"] <= row["mean"] <= row["ci_high"]

    def test_nan_condition_counts_as_false(self, levels):
        long, short = levels
        cond = pd.Series([np.nan] * 400, index=long.index, dtype="float64")
        res = event_study(cond > 0, long, short, horizons=(5,), n_boot=20)
        assert res.table.loc[5, "n_days"] == 0
        assert "n=0" not in res.summary()


class TestThesis:
    def test_small_thesis_pairs(self, small_thesis_text, small_market):
        thesis = load_thesis(small_thesis_text)
        out = thesis_event_study(thesis, small_market, n_boot=50)
        res = out["tangible_vs_tech"]
        hist = history(thesis, small_market)
        cond = (hist.health >= 0.5) & (hist.coverage >= 0.5)
        fwd = forward_relative_return(
            res_long := _ew(small_market.prices[["XLI", "XLB", "XLE"]]),
            _ew(small_market.prices[["XLK"]]),
            5,
        )
        assert res_long is not None
        expected = fwd[cond.to_numpy()].dropna()
        assert res.table.loc[5, "n_days"] == len(expected)
        np.testing.assert_allclose(res.table.loc[5, "mean"], expected.mean(), rtol=1e-9)

    def test_default_thesis_on_bundled_data(self, market):
        thesis = load_thesis(default_thesis_text())
        out = thesis_event_study(thesis, market, n_boot=200)
        assert set(out) == {
            "tangible_vs_tech",
            "small_vs_large",
            "ff_manuf_enrgy_vs_hitec",
        }
        ff = out["ff_manuf_enrgy_vs_hitec"]
        assert ff.episodes["start"].iloc[0].year < 1930
        assert ff.table.loc[252, "n_days"] > 10_000
        for res in out.values():
            t = res.table
            assert ((t["ci_low"] <= t["mean"]) & (t["mean"] <= t["ci_high"])).all()
            assert t["hit_rate"].between(0, 1).all()


def _ew(frame: pd.DataFrame) -> pd.Series:
    seen = frame.notna().any(axis=1)
    r = frame[seen].pct_change(fill_method=None).mean(axis=1)
    level = (1 + r.fillna(0.0)).cumprod()
    return level.reindex(frame.index).ffill(limit=5)
