"""Numba kernels of the backtest engine and the parameter sweep.

Each kernel is written as plain Python (``_name_py``, readable, testable
without numba) and compiled as ``_name = njit(_name_py)``. Kernels trust their
inputs: validation happens in the public functions.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from rotation._typing import BoolArray, FloatArray, IntArray

#: Columns of the metrics array the sweep kernel fills, in order.
SWEEP_METRICS: tuple[str, ...] = (
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "hit_rate",
    "turnover",
    "costs_paid",
)


def _simulate_py(
    asset_returns: FloatArray,
    cash_returns: FloatArray,
    targets: FloatArray,
    decide: BoolArray,
    cost_rate: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Simulate a portfolio that trades at close t to the targets decided at t-1.

    Returns equity (n_obs,), post-trade weights (n_obs, n_assets), trades
    (n_obs, n_assets) and costs as a fraction of pre-cost equity (n_obs,).
    """
    n_obs, n_assets = asset_returns.shape
    equity = np.empty(n_obs)
    weights = np.zeros((n_obs, n_assets))
    trades = np.zeros((n_obs, n_assets))
    costs = np.zeros(n_obs)
    w = np.zeros(n_assets)
    w_cash = 1.0
    value = 1.0
    if n_obs > 0:
        equity[0] = 1.0
    for t in range(1, n_obs):
        growth = w_cash * (1.0 + cash_returns[t])
        for j in range(n_assets):
            w[j] = w[j] * (1.0 + asset_returns[t, j])
            growth += w[j]
        if growth <= 0.0:  # wiped out (possible only with leverage or shorts)
            value = 0.0
            w[:] = 0.0
            w_cash = 0.0
            equity[t] = 0.0
            continue
        for j in range(n_assets):
            w[j] = w[j] / growth
        w_cash = w_cash * (1.0 + cash_returns[t]) / growth
        value = value * growth
        # The one place where decisions become positions: the targets decided
        # at the close of t-1 are traded at the close of t.
        if decide[t - 1]:
            gross = 0.0
            invested = 0.0
            for j in range(n_assets):
                delta = targets[t - 1, j] - w[j]
                trades[t, j] = delta
                gross += abs(delta)
                w[j] = targets[t - 1, j]
                invested += w[j]
            costs[t] = gross * cost_rate
            value = value * (1.0 - costs[t])
            w_cash = 1.0 - invested
        equity[t] = value
        for j in range(n_assets):
            weights[t, j] = w[j]
    return equity, weights, trades, costs


_simulate = njit(cache=True)(_simulate_py)


def _simulate_top_k_py(
    prices: FloatArray,
    cash_index: FloatArray,
    decide: BoolArray,
    order: IntArray,
    n_eligible: IntArray,
    k: int,
    cost_rates: FloatArray,
    periods_per_year: float,
    metrics: FloatArray,
    returns_out: FloatArray,
    keep_returns: bool,
) -> None:
    """Simulate one top-k variant at every cost level, filling ``metrics``.

    Holdings are kept as units between trades, so a session costs one
    multiply-add per held asset: ``V_t = u_c C_t + sum_j u_j P_{t,j}``. The
    return :math:`V_t / V_{t-1} - 1` equals the engine's drifting-weights
    return. Net equity at cost c is the shared gross equity times a factor
    that changes only on trade days, so return sums are shared on the other
    days and only the drawdown is tracked per cost every session.
    """
    n_obs, n_assets = prices.shape
    n_c = cost_rates.shape[0]
    units = np.zeros(n_assets)
    target = np.zeros(n_assets)
    held = np.zeros(n_assets, dtype=np.int64)
    t_r = np.zeros(n_c)
    t_r2 = np.zeros(n_c)
    t_x = np.zeros(n_c)
    t_x2 = np.zeros(n_c)
    t_down = np.zeros(n_c)
    t_pos = np.zeros(n_c)
    t_nonzero = np.zeros(n_c)
    factor = np.ones(n_c)
    peak = np.ones(n_c)
    floor = np.ones(n_c)
    mdd = np.zeros(n_c)
    paid = np.zeros(n_c)
    n_held = 0
    cash_units = 1.0 / cash_index[0]
    value = 1.0
    s_r = 0.0
    s_r2 = 0.0
    s_x = 0.0
    s_x2 = 0.0
    s_down = 0.0
    n_pos = 0.0
    n_nonzero = 0.0
    traded_total = 0.0
    d = 0
    for t in range(1, n_obs):
        new_value = cash_units * cash_index[t]
        for h in range(n_held):
            j = held[h]
            new_value += units[j] * prices[t, j]
        growth = new_value / value
        cash_t = cash_index[t] / cash_index[t - 1] - 1.0
        previous_value = value
        value = new_value
        if decide[t - 1]:
            m = min(k, n_eligible[d])
            target[:] = 0.0
            for i in range(m):
                target[order[d, i]] = 1.0 / m
            gross = 0.0
            for j in range(n_assets):
                if units[j] != 0.0:
                    gross += abs(target[j] - units[j] * prices[t, j] / value)
                    units[j] = 0.0
                else:
                    gross += target[j]
            n_held = 0
            invested = 0.0
            for i in range(m):
                j = order[d, i]
                units[j] = target[j] * value / prices[t, j]
                held[n_held] = j
                n_held += 1
                invested += target[j]
            cash_units = (1.0 - invested) * value / cash_index[t]
            d += 1
            traded_total += gross
            for c in range(n_c):
                cost = gross * cost_rates[c]
                r = growth * (1.0 - cost) - 1.0
                paid[c] += previous_value * factor[c] * growth * cost
                factor[c] = factor[c] * (1.0 - cost)
                x = r - cash_t
                xm = min(x, 0.0)
                t_r[c] += r
                t_r2[c] += r * r
                t_x[c] += x
                t_x2[c] += x * x
                t_down[c] += xm * xm
                t_nonzero[c] += 1.0 if r != 0.0 else 0.0
                t_pos[c] += 1.0 if r > 0.0 else 0.0
                if keep_returns:
                    returns_out[c, t - 1] = r
        else:
            r = growth - 1.0
            x = r - cash_t
            xm = min(x, 0.0)
            s_r += r
            s_r2 += r * r
            s_x += x
            s_x2 += x * x
            s_down += xm * xm
            n_nonzero += 1.0 if r != 0.0 else 0.0
            n_pos += 1.0 if r > 0.0 else 0.0
            if keep_returns:
                for c in range(n_c):
                    returns_out[c, t - 1] = r
        for c in range(n_c):
            e = value * factor[c]
            if e > peak[c]:
                peak[c] = e
                floor[c] = e * (1.0 + mdd[c])
            elif e < floor[c]:
                mdd[c] = e / peak[c] - 1.0
                floor[c] = e
    n = float(n_obs - 1)
    root = np.sqrt(periods_per_year)
    for c in range(n_c):
        out = metrics[c]
        equity = value * factor[c]
        out[0] = equity - 1.0
        out[1] = equity ** (periods_per_year / n) - 1.0 if equity > 0.0 else -1.0
        sr = s_r + t_r[c]
        var_r = (s_r2 + t_r2[c] - sr * sr / n) / (n - 1.0)
        out[2] = np.sqrt(max(var_r, 0.0)) * root
        sx = s_x + t_x[c]
        mean_x = sx / n
        var_x = (s_x2 + t_x2[c] - sx * sx / n) / (n - 1.0)
        out[3] = mean_x / np.sqrt(var_x) * root if var_x > 0.0 else np.nan
        down = s_down + t_down[c]
        out[4] = mean_x / np.sqrt(down / n) * root if down > 0.0 else np.nan
        out[5] = mdd[c]
        out[6] = out[1] / abs(mdd[c]) if mdd[c] < 0.0 else np.nan
        nonzero = n_nonzero + t_nonzero[c]
        out[7] = (n_pos + t_pos[c]) / nonzero if nonzero > 0.0 else np.nan
        out[8] = 0.5 * traded_total * periods_per_year / n
        out[9] = paid[c]


_simulate_top_k = njit(cache=True)(_simulate_top_k_py)


def _sweep_momentum_py(
    prices: FloatArray,
    cash_index: FloatArray,
    decide: BoolArray,
    orders: IntArray,
    n_eligible: IntArray,
    top_ks: IntArray,
    cost_rates: FloatArray,
    periods_per_year: float,
    keep_returns: bool,
) -> tuple[FloatArray, FloatArray]:
    """Metrics (and optionally net returns) of every top-k momentum variant.

    ``prices`` are carried-forward closes (NaN before listing) and
    ``cash_index`` the compounded cash return. ``orders[p]`` and
    ``n_eligible[p]`` rank the assets at each decision for the momentum table
    ``p`` (see :func:`rotation.backtest._ranking.momentum_orders`); one
    ranking serves every top-k, and one simulation per (table, top-k) serves
    every cost level, because after each trade the weights are the targets
    whatever the cost. Tables run in parallel. Returns metrics of shape
    (n_pairs, n_top_k, n_costs, n_metrics) and net returns of shape
    (n_pairs, n_top_k, n_costs, n_obs - 1) (empty unless ``keep_returns``).
    """
    n_obs = prices.shape[0]
    n_pairs = orders.shape[0]
    n_k = top_ks.shape[0]
    n_c = cost_rates.shape[0]
    metrics = np.full((n_pairs, n_k, n_c, len(SWEEP_METRICS)), np.nan)
    n_ret = n_obs - 1 if keep_returns else 0
    returns_out = np.zeros((n_pairs, n_k, n_c, n_ret))
    if n_obs < 3:
        return metrics, returns_out
    for p in prange(n_pairs):
        for ki in range(n_k):
            _simulate_top_k(
                prices,
                cash_index,
                decide,
                orders[p],
                n_eligible[p],
                top_ks[ki],
                cost_rates,
                periods_per_year,
                metrics[p, ki],
                returns_out[p, ki],
                keep_returns,
            )
    return metrics, returns_out


_sweep_momentum = njit(cache=True, parallel=True)(_sweep_momentum_py)
# The same kernel compiled without threads: compiling the parallel version costs
# ~8 s on a cold cache, which small sweeps (the report's) never win back.
_sweep_momentum_serial = njit(cache=True)(_sweep_momentum_py)
