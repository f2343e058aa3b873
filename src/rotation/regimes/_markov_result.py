"""Immutable outcome of a Markov-switching regime run."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MarkovRegimesResult"]


@dataclass(frozen=True)
class MarkovRegimesResult:
    r"""Immutable outcome of :meth:`MarkovRegimes.fit`.

    Attributes
    ----------
    filtered_probabilities : DataFrame of shape (n_sessions, n_regimes)
        :math:`P(S_t = \text{label} \mid \text{data up to } t)` on every
        session of the input, NaN before the first fit.
    regime : Series
        The most probable label on each session (``<NA>`` before the first fit).
    fits : DataFrame
        One row per refit (see :attr:`MarkovRegimes.fits_`).
    observations : Series
        The sampled spread the model sees (percent per ``sampling_interval``
        sessions), indexed by the session that closes each block.
    labels : tuple of str
        Regime labels ordered by increasing mean spread.
    """

    filtered_probabilities: pd.DataFrame
    regime: pd.Series
    fits: pd.DataFrame
    observations: pd.Series
    labels: tuple[str, ...]

    @cached_property
    def current(self) -> dict[str, Any]:
        """The last session's regime and probabilities."""
        valid = self.filtered_probabilities.dropna()
        if valid.empty:
            return {"date": None, "regime": None, "probabilities": {}}
        last = valid.iloc[-1]
        return {
            "date": valid.index[-1].date().isoformat(),
            "regime": str(last.idxmax()),
            "probabilities": {str(k): float(v) for k, v in last.items()},
        }

    def summary(self) -> str:
        """Plain-text summary: current regime, refits and last fit's parameters."""
        current = self.current
        n_fits = len(self.fits)
        n_failed = int((~self.fits["converged"]).sum()) if n_fits else 0
        lines = [
            "Markov-switching regimes (filtered probabilities, no smoothing)",
            f"  regimes: {', '.join(self.labels)}",
            f"  refits: {n_fits} ({n_failed} did not converge; last good fit kept)",
        ]
        if current["date"] is not None:
            probs = ", ".join(
                f"{k}={v:.2f}" for k, v in current["probabilities"].items()
            )
            lines.append(f"  as of {current['date']}: {current['regime']} ({probs})")
        used = self.fits[self.fits["in_use"]] if n_fits else self.fits
        if len(used):
            last = used.iloc[-1]
            for label in self.labels:
                sd = (
                    f"sd {np.sqrt(last[f'variance_{label}']):.3f}%  "
                    if f"variance_{label}" in last.index
                    else ""
                )
                lines.append(
                    f"  {label:>16}: mean {last[f'mean_{label}']:+.3f}%  "
                    f"{sd}stay {last[f'stay_{label}']:.3f}"
                )
            for name in ("calm", "turbulent"):
                if f"variance_{name}" in last.index:
                    lines.append(
                        f"  {name:>16}: sd {np.sqrt(last[f'variance_{name}']):.3f}%"
                    )
        return "\n".join(lines)
