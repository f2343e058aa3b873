from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotation.risk import regime_risk


class TestReference:
    def test_against_groupby(self, asset_returns, weights):
        labels = pd.Series(
            np.where(np.arange(len(asset_returns)) % 3 == 0, "calm", "storm"),
            index=asset_returns.index,
        )
        out = regime_risk(asset_returns, labels, weights, level=0.9)
        w = pd.Series(weights)
        port = (asset_returns[w.index] * w).sum(axis=1)
        for label, group in port.groupby(labels):
            row = out.loc[label]
            assert row["n_observations"] == len(group)
            np.testing.assert_allclose(
                row["volatility"], group.std() * np.sqrt(252), rtol=1e-12
            )
            np.testing.assert_allclose(
                row["mean_return"], group.mean() * 252, rtol=1e-12
            )
            k = int(np.ceil(len(group) * 0.1 - 1e-9))
            worst = np.sort(group.to_numpy())[:k]
            np.testing.assert_allclose(
                [row["var"], row["cvar"]], [-worst[-1], -worst.mean()], rtol=1e-12
            )
            corr = asset_returns.loc[group.index, list(w.index)].corr().to_numpy()
            off = corr[~np.eye(len(corr), dtype=bool)].mean()
            np.testing.assert_allclose(row["avg_correlation"], off, rtol=1e-12)
        np.testing.assert_allclose(out["share"].sum(), 1.0, rtol=1e-12)


class TestProperties:
    def test_nan_labels_and_small_regimes(self, asset_returns, weights):
        labels = pd.Series("a", index=asset_returns.index, dtype=object)
        labels.iloc[:5] = "rare"
        labels.iloc[5:10] = None
        out = regime_risk(asset_returns, labels, weights, min_observations=20)
        assert out.loc["rare", "n_observations"] == 5
        assert np.isnan(out.loc["rare", "volatility"])
        assert out.loc["a", "n_observations"] == len(asset_returns) - 10


class TestNoLookAhead:
    def test_label_dates_only_use_their_rows(self, asset_returns, weights):
        # Risk inside a regime depends only on that regime's dates: changing
        # returns on dates of another regime leaves it unchanged.
        labels = pd.Series(
            np.where(asset_returns.index.month <= 6, "h1", "h2"),
            index=asset_returns.index,
        )
        base = regime_risk(asset_returns, labels, weights)
        changed = asset_returns.copy()
        changed.loc[labels == "h2"] = 0.3
        np.testing.assert_allclose(
            regime_risk(changed, labels, weights).loc["h1"], base.loc["h1"], rtol=1e-12
        )


class TestErrors:
    def test_messages(self, asset_returns, weights):
        with pytest.raises(TypeError, match="regimes must be a Series"):
            regime_risk(asset_returns, ["a"] * len(asset_returns), weights)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="level"):
            regime_risk(
                asset_returns,
                pd.Series("a", index=asset_returns.index),
                weights,
                level=2,
            )
