from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from rotation.backtest import probability_of_backtest_overfitting


def _slow_pbo(values: np.ndarray, n_splits: int) -> tuple[float, np.ndarray]:
    """CSCV written from Bailey et al. (2015), section 2, one split at a time."""
    n_obs, n_var = values.shape
    block = n_obs // n_splits
    data = values[n_obs - block * n_splits :]
    blocks = [data[i * block : (i + 1) * block] for i in range(n_splits)]
    logits = []
    for chosen in combinations(range(n_splits), n_splits // 2):
        ins = np.vstack([blocks[i] for i in chosen])
        oos = np.vstack([blocks[i] for i in range(n_splits) if i not in chosen])
        sr_in = ins.mean(axis=0) / ins.std(axis=0, ddof=1)
        sr_out = oos.mean(axis=0) / oos.std(axis=0, ddof=1)
        best = int(np.argmax(sr_in))
        omega = rankdata(sr_out)[best] / (n_var + 1)
        logits.append(np.log(omega / (1 - omega)))
    lam = np.array(logits)
    return float(np.mean(lam <= 0)), lam


class TestReference:
    def test_vs_slow_loop(self) -> None:
        rng = np.random.default_rng(8)
        values = rng.normal(0.0002, 0.01, (803, 12))
        values[:, 3] += 0.0004
        result = probability_of_backtest_overfitting(values, n_splits=8)
        pbo, logits = _slow_pbo(values, 8)
        np.testing.assert_allclose(result.logits, logits, rtol=1e-10)
        assert result.pbo == pbo
        assert result.n_combinations == 70

    def test_batches_do_not_matter(self) -> None:
        rng = np.random.default_rng(9)
        values = rng.normal(0, 0.01, (400, 6))
        a = probability_of_backtest_overfitting(values, n_splits=10, batch_size=7)
        b = probability_of_backtest_overfitting(values, n_splits=10)
        np.testing.assert_allclose(a.logits, b.logits, rtol=1e-12)


class TestProperties:
    def test_dominant_strategy_is_not_overfit(self) -> None:
        rng = np.random.default_rng(1)
        values = rng.normal(0, 0.01, (1600, 20))
        values[:, 7] += 0.01  # real skill, every block
        assert probability_of_backtest_overfitting(values).pbo == 0.0

    def test_pure_noise_is_overfit_half_the_time(self) -> None:
        # Splits of one sample are strongly dependent, so average over samples.
        rng = np.random.default_rng(2)
        pbos = [
            probability_of_backtest_overfitting(
                rng.normal(0, 0.01, (480, 30)), n_splits=8
            ).pbo
            for _ in range(30)
        ]
        assert 0.35 < np.mean(pbos) < 0.65

    def test_frame_equals_array(self) -> None:
        rng = np.random.default_rng(3)
        values = rng.normal(0, 0.01, (300, 5))
        a = probability_of_backtest_overfitting(pd.DataFrame(values), n_splits=6)
        b = probability_of_backtest_overfitting(values, n_splits=6)
        np.testing.assert_array_equal(a.logits, b.logits)


class TestErrors:
    def test_odd_splits(self) -> None:
        with pytest.raises(ValueError, match="n_splits must be an even"):
            probability_of_backtest_overfitting(np.zeros((100, 3)), n_splits=5)

    def test_nan(self) -> None:
        values = np.ones((100, 3))
        values[5, 1] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            probability_of_backtest_overfitting(values, n_splits=4)

    def test_too_short(self) -> None:
        with pytest.raises(ValueError, match="too few"):
            probability_of_backtest_overfitting(np.ones((10, 3)), n_splits=16)
