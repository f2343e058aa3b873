from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.regimes import detection_delay, regime_episodes


def _regime() -> tuple[pd.Series, pd.Series]:
    index = pd.bdate_range("2020-01-01", periods=10)
    labels = ["a", "a", "b", "b", "b", None, "b", "a", "b", "b"]
    regime = pd.Series(labels, index=index, dtype="string")
    spread = pd.Series(
        [0.01, -0.02, 0.03, 0.0, 0.01, 0.05, -0.01, 0.02, 0.01, 0.01], index=index
    )
    return regime, spread


class TestReference:
    def test_hand_computed_episodes(self) -> None:
        regime, spread = _regime()
        sectors = pd.DataFrame({"XLE": spread * 2}, index=spread.index)
        table = regime_episodes(regime, spread, sector_returns=sectors)
        assert table["regime"].tolist() == ["a", "b", "b", "a", "b"]
        assert table["length"].tolist() == [2, 3, 1, 1, 2]
        np.testing.assert_allclose(
            table["spread_return"].tolist(),
            [1.01 * 0.98 - 1, 1.03 * 1.0 * 1.01 - 1, -0.01, 0.02, 1.01**2 - 1],
            rtol=1e-12,
        )
        np.testing.assert_allclose(table.loc[0, "XLE"], 1.02 * 0.96 - 1, rtol=1e-12)
        assert table.loc[1, "start"] == spread.index[2]
        assert table.loc[1, "end"] == spread.index[4]

    def test_min_length_merges_short_runs_into_previous(self) -> None:
        regime, spread = _regime()
        table = regime_episodes(regime, spread, min_length=2)
        # "b" at row 6 follows a gap (not adjacent): it starts an episode; the
        # one-day "a" at row 7 is merged into it, then "b" continues.
        assert table["regime"].tolist() == ["a", "b", "b"]
        assert table["length"].tolist() == [2, 3, 4]

    def test_detection_delay(self) -> None:
        index = pd.bdate_range("2021-01-01", periods=30)
        signal = pd.Series(np.r_[np.zeros(10), 0.7, 0.4, np.full(18, 0.9)], index=index)
        assert detection_delay(signal, index[0], threshold=0.6) == index[10] - index[0]
        assert detection_delay(signal, index[0], threshold=0.6, persistence=3) == (
            index[14] - index[0]
        )
        assert detection_delay(signal, index[0], threshold=0.95) is None


class TestErrors:
    def test_bad(self) -> None:
        regime, spread = _regime()
        with pytest.raises(ValueError, match="min_length must be >= 1"):
            regime_episodes(regime, spread, min_length=0)
        with pytest.raises(TypeError, match="must be pandas Series"):
            regime_episodes(regime.to_frame(), spread)  # type: ignore[arg-type]
