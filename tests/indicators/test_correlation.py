from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotation.indicators import (
    rolling_average_correlation,
    rolling_dispersion,
    simple_returns,
)
from rotation.indicators._banded_product import (
    _BAND_TILES,
    _BAND_TILES_PY,
    LANES,
    TILE,
    TILE_DATES,
    TILE_ROWS,
    TILES,
    Tile4x3,
    Tile6x4,
    _band_tile,
    _band_tile_py,
    select_tile,
    vector_registers,
)
from rotation.indicators._correlation import (
    SMALL_BASKET,
    _aligned_zeros,
    _kernel_average_correlation,
)
from rotation.indicators._correlation_kernels import (
    _avg_corr,
    _avg_corr_py,
    _coefficients,
    _coefficients_py,
    _pack_row,
    _pack_row_py,
    refresh_period,
    ring_rows,
)
from rotation.indicators._correlation_small import average_correlation_small

AI_LARGE = ["NVDA", "MSFT", "GOOGL", "META", "AMZN", "AVGO", "ORCL"]
# More members than SMALL_BASKET: the numba kernel's path
WIDE = [*AI_LARGE, "AAPL", "AMD", "TSM", "SMH", "SOXX", "QQQ", "SPY", "IWM"]
WIDE += ["XLK", "XLI", "XLE", "XLF", "XLV"]

# The two paths of _average_correlation, forced: (values, weights, window,
# min_assets, n_threads) -> values
PATHS = {
    "kernel": _kernel_average_correlation,
    "numpy": lambda v, w, window, m, threads: average_correlation_small(
        v, w, window, m
    ),
}


def _loop_avg_corr(
    returns: np.ndarray,
    window: int,
    weights: np.ndarray | None = None,
    min_assets: int = 2,
) -> np.ndarray:
    """Per-date np.corrcoef over the members with a full, non-constant window."""
    n_obs, n_assets = returns.shape
    w_all = np.ones(n_assets) if weights is None else weights
    out = np.full(n_obs, np.nan)
    for t in range(window - 1, n_obs):
        block = returns[t - window + 1 : t + 1]
        members = [
            i
            for i in range(n_assets)
            if not np.isnan(block[:, i]).any()
            and np.std(block[:, i]) > 0
            and w_all[i] > 0
        ]
        if len(members) < min_assets:
            continue
        rho = np.corrcoef(block[:, members], rowvar=False)
        w = w_all[members] / w_all[members].sum()
        outer = np.outer(w, w)
        off = ~np.eye(len(members), dtype=bool)
        out[t] = (outer[off] * rho[off]).sum() / outer[off].sum()
    return out


def _random_returns(
    seed: int, n_obs: int = 300, n_assets: int = 6, nan_frac: float = 0.0
):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n_obs, 1))
    loadings = rng.uniform(-0.5, 1.5, size=(1, n_assets))
    values = common * loadings + rng.normal(size=(n_obs, n_assets))
    values *= rng.uniform(0.001, 0.05, size=(1, n_assets))
    if nan_frac:
        values[rng.random(values.shape) < nan_frac] = np.nan
        values[: rng.integers(0, 80), 0] = np.nan  # a late joiner
    return values


class TestReference:
    def test_ai_basket_vs_corrcoef_loop(self, market):
        returns = simple_returns(market.prices[AI_LARGE], skip_empty_rows=True)
        rows = returns.notna().any(axis=1)
        values = returns[rows].to_numpy(dtype=float)
        expected = np.full(len(returns), np.nan)
        expected[rows.to_numpy()] = _loop_avg_corr(values, 63)
        out = rolling_average_correlation(returns, 63)
        # two implementations of one formula: rounding-level agreement
        np.testing.assert_allclose(out.to_numpy(), expected, rtol=0, atol=1e-10)
        assert out.notna().sum() > 3000

    def test_cap_weighted_vs_corrcoef_loop(self, market):
        returns = simple_returns(
            market.prices[AI_LARGE].loc["2012-06":], skip_empty_rows=True
        )
        # approximate market caps (USD bn), any positive weights exercise the formula
        caps = {
            "NVDA": 4000,
            "MSFT": 3500,
            "GOOGL": 2500,
            "META": 1800,
            "AMZN": 2300,
            "AVGO": 1500,
            "ORCL": 600,
        }
        rows = returns.notna().any(axis=1).to_numpy()
        expected = np.full(len(returns), np.nan)
        expected[rows] = _loop_avg_corr(
            returns[rows].to_numpy(dtype=float),
            21,
            np.array([caps[s] for s in AI_LARGE], float),
        )
        out = rolling_average_correlation(returns, 21, weights=caps)
        np.testing.assert_allclose(out.to_numpy(), expected, rtol=0, atol=1e-10)

    def test_ai_basket_available_daily_through_last_date(self, market):
        returns = simple_returns(market.prices[AI_LARGE], skip_empty_rows=True)
        out = rolling_average_correlation(returns, 63)
        sessions = returns.index[returns.notna().any(axis=1)]
        assert sessions[-1] == pd.Timestamp("2026-08-03")
        recent = out.loc[sessions[(sessions >= "2013-01-01")]]
        assert recent.notna().all()
        assert out.index[-1] == pd.Timestamp("2026-08-03")
        assert -1.0 <= out.loc["2026-08-03"] <= 1.0

    def test_dispersion_vs_loop(self, market):
        returns = simple_returns(
            market.prices[AI_LARGE].loc["2015":], skip_empty_rows=True
        )
        returns = returns.dropna(how="all")
        values = returns.to_numpy(dtype=float)
        for window in (1, 21):
            expected = np.full(len(values), np.nan)
            for t in range(window - 1, len(values)):
                block = values[t - window + 1 : t + 1]
                ok = ~np.isnan(block).any(axis=0)
                if ok.sum() >= 2:
                    compounded = np.prod(1.0 + block[:, ok], axis=0) - 1.0
                    expected[t] = np.std(compounded)
            out = rolling_dispersion(returns, window)
            # log-sum compounding vs direct product: ~1e-15 relative per step
            np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-9, atol=1e-14)

    def test_perfectly_correlated_and_anticorrelated(self):
        rng = np.random.default_rng(1)
        x = rng.normal(size=100)
        same = pd.DataFrame({"A": x, "B": 2 * x + 1, "C": 0.5 * x})
        np.testing.assert_allclose(
            rolling_average_correlation(same, 20).iloc[19:], 1.0, atol=1e-12
        )
        opposite = pd.DataFrame({"A": x, "B": -x})
        np.testing.assert_allclose(
            rolling_average_correlation(opposite, 20).iloc[19:], -1.0, atol=1e-12
        )


class TestProperties:
    @settings(deadline=None, max_examples=30)
    @given(
        seed=st.integers(0, 10_000),
        window=st.integers(2, 60),
        nan_frac=st.sampled_from([0.0, 0.02]),
    )
    def test_numba_kernel_equals_python_kernel(self, seed, window, nan_frac):
        values = _random_returns(seed, n_obs=150, nan_frac=nan_frac)
        values[40:43] = np.nan  # rows that are not observations
        weights = np.random.default_rng(seed).uniform(0.0, 2.0, size=values.shape[1])
        compiled = _run_kernel(values, weights, window, _avg_corr)
        python = _run_kernel(values, weights, window, _avg_corr_py)
        np.testing.assert_allclose(compiled, python, rtol=0, atol=1e-12)
        rows = np.random.default_rng(seed).integers(0, 150, size=5)
        for row in rows:
            packed = [np.full(values.shape[1], np.nan) for _ in range(2)]
            gaps = [
                _pack_row(values, row, packed[0]),
                _pack_row_py(values, row, packed[1]),
            ]
            assert gaps[0] == gaps[1] == np.isnan(values[row]).sum()
            np.testing.assert_array_equal(packed[0], np.nan_to_num(values[row]))
            np.testing.assert_array_equal(packed[1], packed[0])

    @settings(deadline=None, max_examples=30)
    @given(seed=st.integers(0, 10_000), n_assets=st.integers(1, 20))
    def test_inner_kernels_equal_python(self, seed, n_assets):
        rng = np.random.default_rng(seed)
        n_padded = -(-n_assets // LANES) * LANES
        clean = np.zeros((40, n_padded))
        clean[:, :n_assets] = rng.normal(size=(40, n_assets))
        rows = rng.permutation(40).astype(np.int64)
        coef = np.zeros((TILE_DATES, n_padded))
        coef[:, :n_assets] = rng.normal(size=(TILE_DATES, n_assets))
        lo, last = int(rng.integers(0, 10)), int(rng.integers(20, 40))
        products = []
        for kernel in (_band_tile, _band_tile_py):
            product = np.full((last - lo + 1 + TILE_ROWS, TILE_DATES), np.nan)
            kernel(clean, rows, coef, lo, last, product)
            products.append(product[: last - lo + 1])
        expected = clean[rows[lo : last + 1]] @ coef.T
        np.testing.assert_allclose(products[0], products[1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(products[0], expected, rtol=0, atol=1e-12)

        mean, m2 = rng.normal(size=n_assets), rng.uniform(0.0, 2.0, size=n_assets)
        m2[::3] = 0.0  # constant series are not members
        valid = rng.random(n_assets) < 0.8
        weights = rng.uniform(0.0, 1.0, size=n_assets)
        rows_coef = [np.zeros(n_assets), np.zeros(n_assets)]
        sums = [
            kernel(mean, m2, valid, weights, 30, row)
            for kernel, row in zip(
                (_coefficients, _coefficients_py), rows_coef, strict=True
            )
        ]
        np.testing.assert_allclose(sums[0], sums[1], rtol=1e-13)
        np.testing.assert_allclose(rows_coef[0], rows_coef[1], rtol=1e-15)
        member = valid & (m2 > 0)
        np.testing.assert_allclose(
            rows_coef[0],
            np.where(member, weights / np.sqrt(np.where(member, m2, 1) / 30), 0),
        )

    @pytest.mark.parametrize("path", PATHS)
    @settings(deadline=None, max_examples=30)
    @given(seed=st.integers(0, 10_000), window=st.integers(3, 80))
    def test_matches_loop_with_gaps(self, path, seed, window):
        values = _random_returns(seed, nan_frac=0.01)
        out = PATHS[path](values, np.ones(values.shape[1]), window, 3, 1)
        np.testing.assert_allclose(
            out, _loop_avg_corr(values, window, min_assets=3), rtol=0, atol=1e-10
        )

    @settings(deadline=None, max_examples=30)
    @given(
        seed=st.integers(0, 10_000),
        log_scales=st.lists(st.floats(-6, 6), min_size=6, max_size=6),
    )
    def test_scale_invariance(self, seed, log_scales):
        values = pd.DataFrame(_random_returns(seed, n_obs=200))
        scaled = values * np.exp(np.array(log_scales))
        np.testing.assert_allclose(
            rolling_average_correlation(scaled, 30).to_numpy(),
            rolling_average_correlation(values, 30).to_numpy(),
            rtol=0,
            atol=1e-10,
        )

    @settings(deadline=None, max_examples=30)
    @given(seed=st.integers(0, 10_000), window=st.integers(2, 50))
    def test_bounds(self, seed, window):
        values = pd.DataFrame(_random_returns(seed, n_obs=120, nan_frac=0.01))
        weights = dict(enumerate(np.random.default_rng(seed).uniform(0, 1, 6)))
        for out in (
            rolling_average_correlation(values, window),
            rolling_average_correlation(values, window, weights=weights),
        ):
            finite = out.dropna().to_numpy()
            assert np.all(finite >= -1.0 - 1e-12) and np.all(finite <= 1.0 + 1e-12)

    @pytest.mark.parametrize("path", PATHS)
    def test_long_series_no_drift(self, path):
        # 20k steps of sliding updates with a level shift: the periodic exact
        # recompute keeps the result at loop precision (numpy path: raw sums,
        # and the two-pass fallback after the shift).
        values = _random_returns(3, n_obs=20_000, n_assets=4)
        values[10_000:] += 0.5
        out = PATHS[path](values, np.ones(4), 63, 2, 1)
        tail = slice(19_000, 20_000)
        expected = _loop_avg_corr(values[18_900:], 63)[100:]
        np.testing.assert_allclose(out[tail], expected, rtol=0, atol=1e-10)

    def test_frame_and_dispersion_series_names(self):
        values = pd.DataFrame(_random_returns(0, n_obs=80))
        assert rolling_average_correlation(values, 20).name == "avg_corr"
        assert rolling_dispersion(values, 5).name == "dispersion"


class TestNoLookAhead:
    @pytest.mark.parametrize(
        "fn",
        [
            lambda r: rolling_average_correlation(r, 63),
            lambda r: rolling_average_correlation(
                r, 21, weights={"NVDA": 3.0, "MSFT": 2.0, "ORCL": 1.0}
            ),
            # spans on three threads (the real data fall below the threshold)
            lambda r: rolling_average_correlation(r, 21, n_threads=3),
            # a basket wider than SMALL_BASKET: the kernel, on three threads
            lambda r: rolling_average_correlation(r, 42, n_threads=3),
            lambda r: rolling_dispersion(r),
            lambda r: rolling_dispersion(r, 21),
        ],
        ids=[
            "avg_corr",
            "avg_corr_weighted",
            "avg_corr_threads",
            "avg_corr_kernel_threads",
            "dispersion",
            "dispersion_21",
        ],
    )
    def test_prefix_and_perturb(self, fn, request, market, lookahead):
        wide = "kernel" in request.node.callspec.id
        returns = simple_returns(
            market.prices[WIDE if wide else AI_LARGE].loc["2011":"2016"],
            skip_empty_rows=True,
        )
        if wide:
            assert returns.shape[1] > SMALL_BASKET
        cuts = [50, 300, 900, len(returns) - 2]
        lookahead.prefix(fn, returns, cuts)
        lookahead.perturb(fn, returns, cuts)

    def test_streaming_equals_batch(self, market):
        # one new session at a time, keeping only the latest value
        returns = simple_returns(
            market.prices[AI_LARGE].loc["2025-06":], skip_empty_rows=True
        ).dropna(how="all")
        batch = rolling_average_correlation(returns, 63)
        streamed = [
            rolling_average_correlation(returns.iloc[: t + 1], 63).iloc[-1]
            for t in range(60, len(returns), 7)
        ]
        np.testing.assert_allclose(
            streamed, batch.iloc[60::7].to_numpy(), rtol=0, atol=0
        )


class TestErrors:
    def test_window_too_small(self):
        with pytest.raises(
            ValueError, match=r"window must be >= 2 observations \(got 1\)"
        ):
            rolling_average_correlation(pd.DataFrame({"A": [0.1, 0.2]}), 1)

    def test_min_assets(self):
        with pytest.raises(ValueError, match=r"min_assets must be >= 2"):
            rolling_average_correlation(
                pd.DataFrame({"A": [0.1, 0.2]}), 2, min_assets=1
            )

    def test_n_threads(self):
        frame = pd.DataFrame({"A": [0.1, 0.2, 0.3], "B": [0.3, 0.1, 0.2]})
        with pytest.raises(ValueError, match=r"n_threads must be >= 1 \(got 0\)"):
            rolling_average_correlation(frame, 2, n_threads=0)
        with pytest.raises(TypeError, match="n_threads must be an integer or None"):
            rolling_average_correlation(frame, 2, n_threads=1.5)

    def test_not_a_frame(self):
        with pytest.raises(TypeError, match="returns must be a pandas DataFrame"):
            rolling_average_correlation(pd.Series([0.1, 0.2]), 2)


class TestInputs:
    def test_nullable_float_input_matches_float64(self, market):
        prices = market.prices[AI_LARGE].loc["2020":"2021"].astype("Float64")
        prices.iloc[100, 2] = pd.NA
        prices.iloc[200:203, :] = pd.NA  # an all-missing stretch
        nullable = prices / prices.shift(1) - 1.0
        plain = simple_returns(prices)
        np.testing.assert_allclose(
            rolling_average_correlation(nullable, 21).to_numpy(),
            rolling_average_correlation(plain, 21).to_numpy(),
            rtol=0,
            atol=0,
        )
        np.testing.assert_allclose(
            rolling_dispersion(nullable, 5).to_numpy(),
            rolling_dispersion(plain, 5).to_numpy(),
            rtol=0,
            atol=0,
        )

    @pytest.mark.parametrize("n_threads", [2, 3, 7])
    def test_threads_give_identical_numbers(self, n_threads):
        # spans start at refresh points and every date's value comes from the
        # same instructions, so the split cannot change a bit
        values = pd.DataFrame(
            _random_returns(11, n_obs=3000, n_assets=20, nan_frac=0.01)
        )
        weights = dict(enumerate(np.linspace(0.5, 2.0, 20)))
        one = rolling_average_correlation(values, 63, weights=weights, n_threads=1)
        many = rolling_average_correlation(
            values, 63, weights=weights, n_threads=n_threads
        )
        np.testing.assert_array_equal(many.to_numpy(), one.to_numpy())

    def test_concurrent_callers_get_their_own_numbers(self):
        # callers share one pool; each span runs exactly once, by whoever
        # claims it first
        from concurrent.futures import ThreadPoolExecutor

        frames = [
            pd.DataFrame(_random_returns(seed, n_obs=1500, n_assets=20))
            for seed in range(6)
        ]
        expected = [rolling_average_correlation(f, 63, n_threads=1) for f in frames]
        with ThreadPoolExecutor(6) as callers:
            got = list(
                callers.map(
                    lambda f: rolling_average_correlation(f, 63, n_threads=4), frames
                )
            )
        for one, many in zip(expected, got, strict=True):
            np.testing.assert_array_equal(many.to_numpy(), one.to_numpy())

    @pytest.mark.parametrize("path", PATHS)
    def test_infinite_returns_are_gaps_like_nan(self, path):
        values = _random_returns(8, n_obs=300, n_assets=6)
        with_inf, with_nan = values.copy(), values.copy()
        with_inf[100, 2], with_nan[100, 2] = np.inf, np.nan
        with_inf[150, 4], with_nan[150, 4] = -np.inf, np.nan
        out = PATHS[path](with_inf, np.ones(6), 30, 2, 1)
        np.testing.assert_array_equal(out, PATHS[path](with_nan, np.ones(6), 30, 2, 1))
        assert np.isfinite(out).sum() == 300 - 29  # the others carry every window

    def test_ring_one_row_smaller_is_wrong(self):
        # ring_rows is the minimum: guard against a silent off-by-one
        values = _random_returns(4, n_obs=400, n_assets=9)
        weights, window = np.ones(9), 21
        padded = -(-9 // LANES) * LANES
        outs = []
        for rows in (ring_rows(window), ring_rows(window) - 1):
            out = np.full(400, np.nan)
            ring = _aligned_zeros((rows, padded))
            _avg_corr(
                values, weights, window, 2, refresh_period(window), 0, 400, ring, out
            )
            outs.append(out)
        expected = _loop_avg_corr(values, window)
        np.testing.assert_allclose(outs[0], expected, rtol=0, atol=1e-10)
        assert not np.allclose(outs[1][window:], expected[window:], atol=1e-6)

    def test_a_caller_does_not_wait_behind_queued_spans(self):
        # a span still queued behind another caller's work is cancelled, not
        # awaited, once the caller has run it itself
        import threading

        from rotation.indicators._correlation import _pool, _run_spans

        release = threading.Event()
        pool = _pool(__import__("os").getpid())
        blockers = [pool.submit(release.wait, 30) for _ in range(pool._max_workers)]
        try:
            ran: list[tuple[int, int]] = []
            done = threading.Event()

            def call():
                _run_spans(lambda lo, hi: ran.append((lo, hi)), [(0, 1), (1, 2)])
                done.set()

            threading.Thread(target=call).start()
            assert done.wait(10), "the caller waited for the busy pool"
            assert sorted(ran) == [(0, 1), (1, 2)]
        finally:
            release.set()
            for blocker in blockers:
                blocker.result()

    def test_every_span_runs_once(self):
        from rotation.indicators._correlation import _even_spans, _run_spans

        spans = _even_spans(62, 5000, 5, 252)
        assert spans[0][0] == 62 and spans[-1][1] == 5000
        assert all((lo - 62) % 252 == 0 for lo, _ in spans)
        ran: list[tuple[int, int]] = []
        _run_spans(lambda lo, hi: ran.append((lo, hi)), spans)
        assert sorted(ran) == spans

    @pytest.mark.parametrize("path", PATHS)
    def test_column_and_row_major_input_agree(self, path):
        values = _random_returns(5, n_obs=400, n_assets=9, nan_frac=0.02)
        by_rows = PATHS[path](np.ascontiguousarray(values), np.ones(9), 21, 2, 1)
        by_columns = PATHS[path](np.asfortranarray(values), np.ones(9), 21, 2, 1)
        np.testing.assert_array_equal(by_rows, by_columns)

    def test_rows_start_on_64_byte_boundaries(self):
        for n_padded in (8, 16, 504):
            clean = _aligned_zeros((5, n_padded))
            assert all(clean[t].ctypes.data % 64 == 0 for t in range(5))


class TestTileShapes:
    """Every candidate tile shape computes the same numbers; the choice follows the ISA."""

    @settings(deadline=None, max_examples=20)
    @given(seed=st.integers(0, 10_000), n_assets=st.integers(1, 600))
    def test_every_tile_gives_bit_identical_products(self, seed, n_assets):
        # each dot product runs the same vector loop whatever the tile around it
        rng = np.random.default_rng(seed)
        n_padded = -(-n_assets // LANES) * LANES
        clean = _aligned_zeros((80, n_padded))
        clean[:, :n_assets] = rng.normal(size=(80, n_assets))
        rows = rng.permutation(80).astype(np.int64)
        dates = max(tile.dates for tile in TILES)
        coef = np.zeros((dates, n_padded))
        coef[:, :n_assets] = rng.normal(size=(dates, n_assets))
        lo, last = int(rng.integers(0, 10)), int(rng.integers(40, 80))
        products = {}
        for tile in TILES:
            product = np.full((last - lo + 1 + tile.rows, tile.dates), np.nan)
            _BAND_TILES[type(tile)](
                clean, rows, coef[: tile.dates].copy(), lo, last, product
            )
            products[tile] = product[: last - lo + 1]
            python = np.full_like(product, np.nan)
            _BAND_TILES_PY[type(tile)](
                clean, rows, coef[: tile.dates].copy(), lo, last, python
            )
            np.testing.assert_allclose(
                product[: last - lo + 1], python[: last - lo + 1], rtol=0, atol=1e-12
            )
        shared = min(tile.dates for tile in TILES)
        reference = products[TILES[0]][:, :shared]
        for tile in TILES[1:]:
            np.testing.assert_array_equal(products[tile][:, :shared], reference)

    @pytest.mark.parametrize("nan_frac", [0.0, 0.02])
    def test_kernel_in_this_tile_matches_the_loop(self, nan_frac):
        # gaps, a late joiner, a constant stretch and all-missing rows take
        # the general path as well as the clean one; the kernel runs in this
        # machine's tile (every tile gives the same products: above)
        values = _random_returns(21, n_obs=700, n_assets=13, nan_frac=nan_frac)
        values[300:400, 3] = 0.001  # constant for a while: not a member
        values[500:503] = np.nan
        weights = np.linspace(0.5, 2.0, 13)
        out = np.full(len(values), np.nan)
        ring = _aligned_zeros((ring_rows(40), -(-13 // LANES) * LANES))
        _avg_corr(values, weights, 40, 2, refresh_period(40), 0, len(values), ring, out)
        expected = _loop_avg_corr(values, 40, weights)
        # the loop's np.std of a constant window is rounding dust, not 0, and
        # the loop does not skip all-missing rows
        away = np.r_[0:300, 440:500]
        np.testing.assert_allclose(out[away], expected[away], rtol=0, atol=1e-10)

    def test_tile_follows_the_register_file(self):
        avx2 = "+64bit,+avx,+avx2,+fma,-avx512f,-avx512vl"
        avx512 = "+64bit,+avx,+avx2,+fma,+avx512f,+avx512vl"
        assert vector_registers(avx2, "x86_64") == 16
        assert vector_registers(avx512, "x86_64") == 32
        assert vector_registers("+neon", "aarch64") == 32
        assert select_tile(16) == Tile4x3()
        assert select_tile(32) == Tile6x4()
        assert select_tile(8) == TILES[-1]  # the smallest rather than none
        assert TILE in TILES and (TILE_ROWS, TILE_DATES) == (TILE.rows, TILE.dates)
        assert _band_tile is _BAND_TILES[type(TILE)]

    @pytest.mark.parametrize("scale", [1e-20, 1e20])
    def test_variances_outside_float32_range_are_exact(self, scale):
        # the float32 seed of the inverse square root cannot hold these: the
        # coefficients take the correctly rounded path instead
        values = _random_returns(8, n_obs=300, n_assets=7)
        scaled = _kernel_average_correlation(values * scale, np.ones(7), 30, 2, 1)
        np.testing.assert_allclose(
            scaled, _loop_avg_corr(values, 30), rtol=0, atol=1e-10
        )


def _run_kernel(values, weights, window, kernel):
    """One span of the kernel over every row, as rolling_average_correlation runs it."""
    n_rows, n_assets = values.shape
    ring = _aligned_zeros((ring_rows(window), -(-n_assets // LANES) * LANES))
    out = np.full(n_rows, np.nan)
    kernel(values, weights, window, 2, refresh_period(window), 0, n_rows, ring, out)
    return out


class TestBasketPath:
    """basket_average_correlation: the one path of avg_corr (pillar, part, API)."""

    def test_equals_the_returns_path(self, market):
        from rotation.indicators import basket_average_correlation, basket_dispersion

        prices = market.prices[AI_LARGE]
        observed = prices.dropna(how="all")
        returns = simple_returns(observed)
        expected = rolling_average_correlation(returns, 63)
        got = basket_average_correlation(prices, 63)
        assert got.index.equals(prices.index)
        assert got[prices.notna().any(axis=1)].equals(expected)  # bit for bit
        assert got[~prices.notna().any(axis=1)].isna().all()
        disp = basket_dispersion(prices, 21).dropna()
        np.testing.assert_allclose(
            disp.to_numpy(), rolling_dispersion(returns, 21).dropna().to_numpy(), rtol=0
        )

    def test_no_look_ahead(self, market, lookahead):
        from rotation.indicators import basket_average_correlation

        prices = market.prices[AI_LARGE].iloc[-1500:]
        fn = lambda p: basket_average_correlation(p, 63)  # noqa: E731
        lookahead.prefix(fn, prices, [700, 1100])
        lookahead.perturb(fn, prices, [900])
