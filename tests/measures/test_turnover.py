from __future__ import annotations

import numpy as np
import pandas as pd

from rotation.measures import turnover


class TestReference:
    def test_hand_example(self) -> None:
        index = pd.bdate_range("2020-01-01", periods=252)
        trades = pd.DataFrame(0.0, index=index, columns=["a", "b"])
        trades.iloc[10] = [0.5, -0.5]  # half the book switched once
        trades.iloc[100] = [-1.0, 1.0]  # the whole book switched once
        np.testing.assert_allclose(turnover(trades), 1.5, rtol=1e-12)

    def test_monthly_rows_annualise_by_twelve(self) -> None:
        index = pd.date_range("2020-01-31", periods=24, freq="ME")
        trades = pd.DataFrame({"a": [0.2, -0.2] * 12})
        trades.index = index
        np.testing.assert_allclose(turnover(trades), 0.5 * 0.2 * 24 * 12 / 24)
