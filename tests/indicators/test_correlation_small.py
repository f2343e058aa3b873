"""The numpy path of the average correlation (small baskets, nothing to compile)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.indicators import (
    basket_average_correlation,
    rolling_average_correlation,
    simple_returns,
)
from rotation.indicators._correlation import (
    SMALL_BASKET,
    _average_correlation,
    _kernel_average_correlation,
)
from rotation.indicators._correlation_small import (
    _CHUNK_DATES,
    average_correlation_small,
    chunk_dates,
    pair_groups,
)

from .conftest import AI_LARGE, SECTORS
from .test_correlation import _loop_avg_corr


def _awkward_returns(seed: int, n_obs: int, n_assets: int) -> np.ndarray:
    """Seeded returns with every case the NaN policy names.

    NaN gaps, a late listing, a constant stretch, a level shift (raw sums of
    squares far above the centred ones), infinite returns and rows where
    every series is missing.
    """
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n_obs, 1))
    loadings = rng.uniform(-0.5, 1.5, size=(1, n_assets))
    values = common * loadings + rng.normal(size=(n_obs, n_assets))
    values *= rng.uniform(0.001, 0.05, size=(1, n_assets))
    values[rng.random(values.shape) < 0.01] = np.nan
    values[: rng.integers(0, n_obs // 3), 0] = np.nan  # a late listing
    if n_assets > 2:
        lo = int(rng.integers(0, n_obs // 2))
        values[lo : lo + 150, 1] = 0.001  # constant for a while: not a member
    if n_assets > 3:
        values[n_obs // 2 :, 2] += 0.5  # a level shift: the two-pass fallback
    if n_assets > 4:
        values[rng.random(n_obs) < 0.005, 3] = np.inf  # a gap, like NaN
    lo = int(rng.integers(0, n_obs - 5))
    values[lo : lo + 4] = np.nan  # not observations
    return values


def _both_paths(values, weights, window, min_assets=2):
    kernel = _kernel_average_correlation(values, weights, window, min_assets, 1)
    small = average_correlation_small(values, weights, window, min_assets)
    return kernel, small


class TestAgreesWithKernel:
    """The numpy path is the kernel's definition: same members, weights and NaNs."""

    @settings(deadline=None, max_examples=40)
    @given(
        seed=st.integers(0, 100_000),
        n_assets=st.integers(2, SMALL_BASKET),
        window=st.integers(10, 130),
        n_obs=st.integers(40, 900),
        min_assets=st.integers(2, 4),
    )
    def test_random_awkward_data(self, seed, n_assets, window, n_obs, min_assets):
        values = _awkward_returns(seed, n_obs, n_assets)
        weights = np.random.default_rng(seed).uniform(0.0, 2.0, n_assets)
        weights[np.random.default_rng(seed + 1).random(n_assets) < 0.2] = 0.0
        kernel, small = _both_paths(values, weights, window, min_assets)
        np.testing.assert_array_equal(np.isnan(small), np.isnan(kernel))
        # two implementations of one formula; the kernel's sliding moments
        # lose up to ~1e-12 after a level shift, the two-pass path does not
        np.testing.assert_allclose(small, kernel, rtol=0, atol=2e-12)

    @settings(deadline=None, max_examples=30)
    @given(
        seed=st.integers(0, 100_000),
        n_assets=st.integers(2, 8),
        window=st.integers(2, 9),
    )
    def test_short_windows_against_corrcoef_loop(self, seed, n_assets, window):
        # (the kernel's sliding moments lose ~1e-11 on 2- and 3-date windows,
        # where every update cancels most of the sum of squares)
        values = _awkward_returns(seed, 200, n_assets)
        values[~np.isfinite(values)] = np.nan
        rows = ~np.isnan(values).all(axis=1)
        expected = np.full(len(values), np.nan)
        expected[rows] = _loop_avg_corr(values[rows], window)
        small = average_correlation_small(values, np.ones(n_assets), window, 2)
        both = ~np.isnan(small) & ~np.isnan(expected)
        # np.corrcoef per window (independent); rounding-level agreement
        np.testing.assert_allclose(small[both], expected[both], rtol=0, atol=1e-12)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_against_corrcoef_loop(self, seed):
        values = _awkward_returns(seed, 700, 9)
        weights = np.linspace(0.5, 2.0, 9)
        small = average_correlation_small(values, weights, 40, 2)
        clean = np.where(np.isfinite(values), values, np.nan)
        rows = ~np.isnan(clean).all(axis=1)
        expected = np.full(len(values), np.nan)
        expected[rows] = _loop_avg_corr(clean[rows], 40, weights)
        # the loop's np.std of a constant window is rounding dust, not 0:
        # compare where neither side leaves the constant series out
        both = ~np.isnan(small) & ~np.isnan(expected)
        assert both.sum() > 400
        # independent reference (np.corrcoef per window): rounding agreement
        np.testing.assert_allclose(small[both], expected[both], rtol=0, atol=1e-12)

    @pytest.mark.parametrize(
        ("members", "window"),
        [(AI_LARGE, 63), (SECTORS, 63), (AI_LARGE + ["SPY", "QQQ", "SMH"], 21)],
        ids=["ai_large", "sectors", "ten"],
    )
    def test_real_baskets(self, market, members, window):
        prices = market.prices[members]
        returns = simple_returns(prices.dropna(how="all"))
        values = returns.to_numpy(dtype=np.float64, na_value=np.nan)
        kernel, small = _both_paths(values, np.ones(len(members)), window)
        np.testing.assert_array_equal(np.isnan(small), np.isnan(kernel))
        assert np.isfinite(small).sum() > 3000
        np.testing.assert_allclose(small, kernel, rtol=0, atol=1e-12)

    def test_weighted_real_basket(self, market):
        returns = simple_returns(market.prices[AI_LARGE].dropna(how="all"))
        values = returns.to_numpy(dtype=np.float64, na_value=np.nan)
        weights = np.array([4000, 3500, 2500, 1800, 2300, 1500, 600], float)
        kernel, small = _both_paths(values, weights, 21)
        np.testing.assert_allclose(small, kernel, rtol=0, atol=1e-12)

    def test_outside_float32_range(self):
        # the kernel seeds 1/sigma in float32; the numpy path takes any scale
        values = _awkward_returns(8, 400, 7)
        for scale in (1e-20, 1e20):
            np.testing.assert_allclose(
                average_correlation_small(values * scale, np.ones(7), 30, 2),
                average_correlation_small(values, np.ones(7), 30, 2),
                rtol=0,
                atol=1e-12,
            )


class TestDispatch:
    def test_small_baskets_take_the_numpy_path(self):
        values = _awkward_returns(3, 600, SMALL_BASKET)
        weights = np.ones(SMALL_BASKET)
        np.testing.assert_array_equal(
            _average_correlation(values, weights, 63, 2, None),
            average_correlation_small(values, weights, 63, 2),
        )

    def test_large_baskets_take_the_kernel(self):
        values = _awkward_returns(3, 600, SMALL_BASKET + 1)
        weights = np.ones(SMALL_BASKET + 1)
        np.testing.assert_array_equal(
            _average_correlation(values, weights, 63, 2, 1),
            _kernel_average_correlation(values, weights, 63, 2, 1),
        )

    def test_zero_weights_do_not_count_towards_the_size(self):
        # a panel of many columns weighted on a few is a small basket
        values = _awkward_returns(4, 500, SMALL_BASKET + 5)
        weights = np.zeros(SMALL_BASKET + 5)
        weights[:5] = 1.0
        np.testing.assert_array_equal(
            _average_correlation(values, weights, 30, 2, None),
            average_correlation_small(values, weights, 30, 2),
        )

    def test_basket_path_is_the_returns_path_bit_for_bit(self, market):
        prices = market.prices[AI_LARGE]
        got = basket_average_correlation(prices, 63)
        returns = simple_returns(prices.dropna(how="all"))
        expected = rolling_average_correlation(returns, 63)
        assert got[prices.notna().any(axis=1)].equals(expected)


class TestExactness:
    """Each value is a fixed sequence of operations on its own window."""

    def test_chunk_and_group_layout_depend_on_the_basket_only(self):
        assert chunk_dates(63) == _CHUNK_DATES
        assert chunk_dates(1000) >= 4000
        for n_assets in (2, 7, 12, 16):
            groups = pair_groups(n_assets, 63)
            assert groups[0][0] == 0 and groups[-1][1] == n_assets - 1
            assert all(a[1] == b[0] for a, b in zip(groups, groups[1:], strict=False))

    @settings(deadline=None, max_examples=15)
    @given(seed=st.integers(0, 100_000), n_assets=st.integers(2, 12))
    def test_prefix_invariance_bit_for_bit(self, seed, n_assets):
        # cuts inside, at and around the chunk boundaries and the 64-date
        # rounding of the last chunk
        values = _awkward_returns(seed, 2 * _CHUNK_DATES + 300, n_assets)
        weights = np.random.default_rng(seed).uniform(0.1, 2.0, n_assets)
        full = average_correlation_small(values, weights, 63, 2)
        for cut in (
            70,
            63 + 64,
            _CHUNK_DATES + 61,
            _CHUNK_DATES + 62,
            2 * _CHUNK_DATES + 90,
        ):
            head = average_correlation_small(values[:cut], weights, 63, 2)
            np.testing.assert_array_equal(head, full[:cut])

    def test_a_value_depends_on_its_window_only(self):
        # no refresh grid: dropping leading rows changes no value either
        values = _awkward_returns(5, 3000, 7)
        full = average_correlation_small(values, np.ones(7), 63, 2)
        for start in (1, 37, 500, 2049):
            cut = average_correlation_small(values[start:], np.ones(7), 63, 2)
            # past the first window of the cut data (and its all-missing rows)
            np.testing.assert_array_equal(cut[80:], full[start + 80 :])

    def test_row_and_column_major_agree(self):
        values = _awkward_returns(6, 900, 9)
        np.testing.assert_array_equal(
            average_correlation_small(np.asfortranarray(values), np.ones(9), 21, 2),
            average_correlation_small(np.ascontiguousarray(values), np.ones(9), 21, 2),
        )

    def test_long_series_level_shift(self):
        # 20k dates with a level shift: the two-pass fallback keeps loop precision
        rng = np.random.default_rng(3)
        values = rng.normal(0.0, 0.01, size=(20_000, 4)) + rng.normal(
            0.0, 0.01, size=(20_000, 1)
        )
        values[10_000:] += 0.5
        out = average_correlation_small(values, np.ones(4), 63, 2)
        expected = _loop_avg_corr(values[9_900:10_400], 63)[100:]
        np.testing.assert_allclose(out[10_000:10_400], expected, rtol=0, atol=1e-12)


class TestNoLookAhead:
    def test_prefix_and_perturb(self, market, lookahead):
        returns = simple_returns(
            market.prices[AI_LARGE + ["SPY", "QQQ"]].loc["2011":"2020"],
            skip_empty_rows=True,
        )
        cuts = [50, 300, 900, 2100, len(returns) - 2]
        fn = lambda r: rolling_average_correlation(r, 63)  # noqa: E731
        lookahead.prefix(fn, returns, cuts)
        lookahead.perturb(fn, returns, cuts)

    def test_streaming_equals_batch(self, market):
        returns = simple_returns(
            market.prices[SECTORS].loc["2024-01":], skip_empty_rows=True
        ).dropna(how="all")
        batch = rolling_average_correlation(returns, 63)
        streamed = [
            rolling_average_correlation(returns.iloc[: t + 1], 63).iloc[-1]
            for t in range(60, len(returns), 11)
        ]
        np.testing.assert_array_equal(streamed, batch.iloc[60::11].to_numpy())


_NO_COMPILE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np, pandas as pd
    from numba.core import event

    compiled = []

    class Listener(event.Listener):
        def on_start(self, ev):
            compiled.append(str(ev.data.get("dispatcher", "?")))

        def on_end(self, ev):
            pass

    event.register("numba:compile", Listener())
    import rotation.indicators as ind

    rng = np.random.default_rng(0)
    index = pd.bdate_range("1980-01-01", periods=12_000)
    for n_assets in (7, 12):
        walk = np.cumsum(rng.normal(0.0, 0.01, (12_000, n_assets)), axis=0)
        prices = pd.DataFrame(100 * np.exp(walk), index=index)
        prices.iloc[:500, 0] = np.nan
        ind.basket_average_correlation(prices, 63)
        ind.rolling_average_correlation(prices.pct_change(), 21, n_threads=2)
    report = {
        "report_sized": list(compiled),
        "kernels_loaded": "rotation.indicators._correlation_kernels" in sys.modules,
    }
    from numba import njit

    njit(lambda x: x + 1)(1)  # the listener sees a compile when there is one
    report["control"] = len(compiled) - len(report["report_sized"])
    print(json.dumps(report))
    """
)


@pytest.mark.slow
def test_report_sized_baskets_compile_nothing(tmp_path):
    """A first run (empty numba cache) compiles nothing for small baskets."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    done = subprocess.run(
        [sys.executable, "-c", _NO_COMPILE_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["control"] >= 1
    assert report["report_sized"] == []
    assert not report["kernels_loaded"]


def test_frames_match_arrays():
    values = _awkward_returns(2, 300, 5)
    frame = pd.DataFrame(values, columns=list("ABCDE"))
    np.testing.assert_array_equal(
        rolling_average_correlation(frame, 30).to_numpy(),
        average_correlation_small(values, np.ones(5), 30, 2),
    )


_COMPILE_ONCE_SCRIPT = textwrap.dedent(
    """
    import collections, json
    import numpy as np
    from numba.core import event

    compiled = collections.Counter()

    class Listener(event.Listener):
        def on_start(self, ev):
            function = ev.data["dispatcher"].py_func
            if function.__module__.startswith("rotation."):
                compiled[function.__qualname__] += 1

        def on_end(self, ev):
            pass

    event.register("numba:compile", Listener())
    from rotation.indicators import rolling_average_correlation
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(400, 20)))
    frame.iloc[::37, 3] = np.nan
    rolling_average_correlation(frame, 21, n_threads=1)
    print(json.dumps(dict(compiled)))
    """
)


@pytest.mark.slow
def test_the_kernel_compiles_each_function_once(tmp_path):
    """A first run of the kernel path compiles each function once (no literal
    or per-tile specialisations, no helper compiled twice)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    done = subprocess.run(
        [sys.executable, "-c", _COMPILE_ONCE_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    compiled = json.loads(done.stdout.strip().splitlines()[-1])
    assert "_avg_corr_py" in compiled
    assert all(count == 1 for count in compiled.values()), compiled
