r"""Average pairwise correlation of small baskets in numpy: nothing to compile.

The numba kernels (:mod:`rotation.indicators._correlation_kernels`) cost
:math:`O(N \cdot w)` per date but take seconds to compile on a first run,
which is most of a new user's first report. A basket of a few dozen members
does not need them: its window sums of the :math:`N(N+1)/2` products
:math:`r_i r_j` give every date's co-moments in :math:`O(N^2 \log w)`
vectorised numpy operations per date, and the weighted average correlation
is a quadratic form of those.

Exactness: every window sum is a fixed tree of additions of that window's own
rows (an addition chain, :func:`sum_plan`; no running sums), and everything
else is elementwise or a sum over the rows of (features, dates) arrays in a
fixed order, so a value depends on its window only: bit-identical under any
cut or prefix of the data, with no refresh grid. Raw (uncentred) sums are exact to a few units in the last
place of :math:`\sum r^2`; a date where that could cost relative precision
(a member with :math:`\sum r_i^2 > 64\, m_{2,i}`, i.e. a mean more than
about eight standard deviations from zero: level-shifted or constant series)
is recomputed two-pass from its window instead.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from rotation._typing import BoolArray, FloatArray

PositionArray = npt.NDArray[np.intp]
SummedT = TypeVar("SummedT", FloatArray, BoolArray)

# A member whose raw sum of squares exceeds this multiple of its centred sum
# of squares takes the two-pass path: the raw formula loses about
# log2(window) * this many units in the last place there.
_RAW_CONDITION = 64.0

# Dates per chunk (at least; four windows for long windows): few enough numpy
# calls per date that their overhead is small (measured: 2048 dates cost 1.3x
# the time of 4096 for N=7 and T=12,000; 8192 gains nothing more).
_CHUNK_DATES = 4096

# Float64 elements of one group of product rows over a chunk (~512 KiB).
_GROUP_ELEMENTS = 1 << 16


def chunk_dates(window: int) -> int:
    """Dates per chunk: a power of two, at least ``_CHUNK_DATES`` and 4 windows."""
    size = _CHUNK_DATES
    while size < 4 * window:
        size *= 2
    return size


def pair_groups(n_assets: int, window: int) -> list[tuple[int, int]]:
    """Split the rows ``i`` of the off-diagonal pairs ``(i, j > i)`` into groups.

    Consecutive rows, about ``_GROUP_ELEMENTS`` products per group over a
    chunk. Fixed by the basket size and the window (never by the data
    length), so every date sums its quadratic form in the same order.
    """
    rows = chunk_dates(window) + window - 1
    target = max(1, _GROUP_ELEMENTS // rows)
    groups: list[tuple[int, int]] = []
    first, count = 0, 0
    for i in range(n_assets - 1):
        pairs = n_assets - 1 - i
        if count and count + pairs > target:
            groups.append((first, i))
            first, count = i, 0
        count += pairs
    if count:
        groups.append((first, n_assets - 1))
    return groups


def average_correlation_small(
    values: FloatArray,
    weights: FloatArray,
    window: int,
    min_assets: int,
) -> FloatArray:
    r"""Weighted average pairwise correlation of every row, without compiling.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_assets)
        Returns, NaN (or inf) where missing.
    weights : ndarray of shape (n_assets,)
        Non-negative raw weights (renormalised over each window's members).
    window : int
        Window length in observations, >= 2.
    min_assets : int
        Minimum number of members (>= 2) for a value.

    Returns
    -------
    ndarray of shape (n_rows,)
        The value of :func:`rotation.indicators._correlation_kernels._avg_corr`
        (same definition, members, weights and NaN policy), NaN where it
        leaves ``out`` untouched.

    Notes
    -----
    With :math:`S_i = \sum_s r_{is}` and :math:`S_{ij} = \sum_s r_{is}r_{js}`
    over the window, :math:`m_{2,i} = S_{ii} - S_i^2/w` and, with
    :math:`c_i = w_i / \sigma_i` for the members (0 otherwise),

    .. math::
        w \operatorname{Var}(y) = \sum_{ij} c_i c_j S_{ij}
            - \Big(\sum_i c_i S_i\Big)^2 / w, \qquad y = \sum_i c_i r_i.

    Rows where every column is missing are not observations. Zero-weight
    columns count for that and for nothing else.
    """
    n_rows = values.shape[0]
    out = np.full(n_rows, np.nan)
    keep = weights > 0.0
    observed = np.logical_or.reduce(np.isfinite(values.T), axis=0)
    observations = np.flatnonzero(observed)
    members = values if keep.all() else values[:, keep]
    n_obs, n_assets = len(observations), members.shape[1]
    if n_obs < window or n_assets < min_assets:
        return out
    n_dates = n_obs - window + 1
    size = chunk_dates(window)
    # The last chunk is cut to a multiple of 64 dates: all operations are
    # elementwise or sums over the rows of (features, dates) arrays, so a
    # chunk's length cannot change a value.
    result = np.empty(n_dates + (-n_dates % 64))
    chunk = _Chunk(n_assets, window, weights[keep], min_assets, min(size, len(result)))
    for first in range(0, len(result), size):
        stop = min(first + size, len(result))
        rows = observations[first : stop + window - 1]
        result[first:stop] = chunk.values(members, rows, stop - first)
    out[observations[window - 1 :]] = result[:n_dates]
    return out


class _Chunk:
    """Buffers and constants of one call, reused by every chunk of dates."""

    def __init__(
        self,
        n_assets: int,
        window: int,
        weights: FloatArray,
        min_assets: int,
        size: int,
    ) -> None:
        self.window, self.min_assets = window, min_assets
        self.weights = weights[:, None]
        self.groups = pair_groups(n_assets, window)
        # buffers for chunks of up to ``size`` dates (less than a full chunk
        # for short data: the layout of the sums depends on the window only)
        rows = size + window - 1
        widest = max(_pairs_in(n_assets, group) for group in self.groups)
        tall = max(widest, n_assets)
        shapes = {
            "returns": (n_assets, rows),
            "terms": (tall, rows),
            "partial": (3, tall, rows),
            "base": (2 * n_assets, size),
            "sums": (widest, size),
            "scratch": (n_assets, size),
        }
        # One block: freed and allocated again whole, malloc hands the next
        # call the same (already mapped) memory, which saves ~1,000 page
        # faults of a few microseconds each per call.
        block = np.empty(sum(int(np.prod(shape)) for shape in shapes.values()))
        start = 0
        views = {}
        for name, shape in shapes.items():
            stop = start + int(np.prod(shape))
            views[name] = block[start:stop].reshape(shape)
            start = stop
        self.returns, self.terms, self.partial = (
            views["returns"],
            views["terms"],
            views["partial"],
        )
        self.base, self.sums, self.scratch = (
            views["base"],
            views["sums"],
            views["scratch"],
        )
        self.gaps = np.empty((5, n_assets, rows), dtype=np.bool_)

    def values(
        self, members: FloatArray, observations: PositionArray, n_dates: int
    ) -> FloatArray:
        """Values of ``n_dates`` dates whose windows start at ``observations[0]``.

        ``members`` is (n_rows, n_assets) and ``observations`` its rows of
        the chunk, in order (fewer than ``n_dates + window - 1`` at the end of
        the data: the padding dates get values that are never read).
        """
        window = self.window
        n, width = members.shape[1], n_dates + window - 1
        inv_window = 1.0 / window
        rows = self.returns[:, :width]
        gaps = self.gaps[0, :, :width]
        present = len(observations)
        first, last = observations[0], observations[-1]
        if last - first + 1 == present:  # no skipped rows: a slice
            np.copyto(rows[:, :present], members[first : last + 1].T)
        elif members.flags.f_contiguous:  # series by rows (pandas' layout)
            np.take(members.T, observations, axis=1, out=rows[:, :present])
        else:
            np.copyto(rows[:, :present], np.take(members, observations, axis=0).T)
        rows[:, present:] = 0.0
        np.isfinite(rows, out=gaps)
        np.logical_not(gaps, out=gaps)
        complete = self.gaps[4, :, :n_dates]
        if gaps.any():
            np.copyto(rows, 0.0, where=gaps)
            _window_sums(
                gaps,
                window,
                n_dates,
                self.gaps[1:4, :, :width],
                complete,
                np.logical_or,
            )
            np.logical_not(complete, out=complete)
        else:
            complete.fill(True)
        base = self.base[:, :n_dates]
        _window_sums(rows, window, n_dates, self.partial, base[:n])
        squared = self.terms[:n, :width]
        np.multiply(rows, rows, out=squared)
        _window_sums(squared, window, n_dates, self.partial, base[n:])
        linear, squares = base[:n], base[n:]
        mean = linear * inv_window
        m2 = squares - linear * mean
        # every series here has a positive weight: complete ones are candidates
        raw = complete & (squares > _RAW_CONDITION * m2)
        exact_dates = np.flatnonzero(raw.any(axis=0)) if raw.any() else None
        if exact_dates is not None:
            mean[:, exact_dates], m2[:, exact_dates], exact_pairs = _two_pass(
                rows, exact_dates, window
            )
            # centred sums: the linear term of the quadratic form vanishes
            squares[:, exact_dates] = m2[:, exact_dates]
            linear[:, exact_dates] = 0.0
        member = complete & (m2 > 1e-13 * window * mean * mean)
        weight = np.where(member, self.weights, 0.0)
        coef = weight / np.sqrt(np.where(member, m2 * inv_window, 1.0))
        weight_sum = weight.sum(axis=0)
        weight_squares = (weight * weight).sum(axis=0)
        n_members = member.sum(axis=0)
        quadratic = (coef * coef * squares).sum(axis=0)
        row_sum = np.empty(n_dates)
        for group in self.groups:
            lo, hi = _pair_offset(n, group[0]), _pair_offset(n, group[1])
            terms = self.terms[: hi - lo, :width]
            _pair_products(rows, group, terms)
            sums = _window_sums(
                terms, window, n_dates, self.partial, self.sums[: hi - lo, :n_dates]
            )
            if exact_dates is not None:
                sums[:, exact_dates] = exact_pairs[lo:hi]
            # c_i * sum_{j > i} c_j * 2 S_ij, row by row of the group
            start = 0
            for i in range(*group):
                stop = start + n - 1 - i
                products = self.scratch[: stop - start, :n_dates]
                np.multiply(coef[i + 1 :], sums[start:stop], out=products)
                np.add.reduce(products, axis=0, out=row_sum)
                row_sum *= coef[i]
                quadratic += row_sum
                start = stop
        mean_y = (coef * linear).sum(axis=0)
        quadratic -= mean_y * mean_y * inv_window
        usable = n_members >= self.min_assets
        scale = np.where(usable, 1.0 / np.where(usable, weight_sum, 1.0), 0.0)
        variance = quadratic * (inv_window * (scale * scale))
        sum_w2 = weight_squares * scale * scale
        ok = usable & (sum_w2 < 1.0)
        return np.where(ok, (variance - sum_w2) / (1.0 - sum_w2), np.nan)


def _pairs_in(n_assets: int, group: tuple[int, int]) -> int:
    return _pair_offset(n_assets, group[1]) - _pair_offset(n_assets, group[0])


def _pair_offset(n_assets: int, row: int) -> int:
    """Index of the first off-diagonal pair ``(row, row + 1)`` in row-major order."""
    return row * (2 * n_assets - row - 1) // 2


def _pair_products(rows: FloatArray, group: tuple[int, int], out: FloatArray) -> None:
    """``out`` = ``2 * rows[i] * rows[j]`` for ``i`` in ``group`` and ``j > i``, in order.

    Doubled (exactly: a power of two) so that each off-diagonal pair stands
    for both of its terms in the quadratic form.
    """
    n = rows.shape[0]
    start = 0
    for i in range(*group):
        stop = start + n - 1 - i
        np.multiply(rows[i] + rows[i], rows[i + 1 :], out=out[start:stop])
        start = stop


def _binary_cost(count: int) -> int:
    """Additions of the left-to-right binary chain that sums ``count`` blocks."""
    return count.bit_length() - 1 + bin(count).count("1") - 1


@cache
def sum_plan(window: int) -> tuple[int, ...]:
    """Block counts whose product is ``window``, cheapest in additions first.

    ``(3, 21)`` sums 3 rows, then 21 of those blocks: 2 + 6 = 8 passes for a
    63-row window instead of the 10 of the plain binary chain (8 is the
    shortest addition chain of 63).
    """
    best: tuple[int, ...] = (window,)
    cost = _binary_cost(window)
    for factor in (3, 5, 7):
        if window % factor == 0 and window > factor:
            rest = sum_plan(window // factor)
            total = _binary_cost(factor) + sum(_binary_cost(m) for m in rest)
            if total < cost:
                best, cost = (factor, *rest), total
    return best


_Step = tuple[int, int, int, int, int]


@cache
def _sum_program(window: int) -> tuple[_Step, ...]:
    """List the additions of :func:`_window_sums`: ``(left, right, target, shift, span)``.

    Operands are slots (-1: the terms, 0-2: scratch, 3: the output); the step
    computes ``target[t] = left[t] + right[t + shift]``, sums of ``span``
    consecutive rows. For each block count ``m`` of :func:`sum_plan`, a
    left-to-right binary chain over the previous blocks: doubling (right is
    left) and incrementing (right is the block).
    """
    steps: list[_Step] = []
    base, block = -1, 1
    for count in sum_plan(window):
        current, blocks = base, 1
        for bit in bin(count)[3:]:
            moves = [(current, blocks * block, 2 * blocks)]
            if bit == "1":
                moves.append((base, 2 * blocks * block, 2 * blocks + 1))
            for addend, shift, after in moves:
                right = current if addend == current else base
                target = next(k for k in range(3) if k not in (base, current))
                steps.append((current, right, target, shift, after * block))
                current, blocks = target, after
        base, block = current, block * count
    last = steps[-1]
    steps[-1] = (last[0], last[1], 3, last[3], last[4])
    return tuple(steps)


def _window_sums(
    terms: SummedT,
    window: int,
    n_dates: int,
    partial: SummedT,
    out: SummedT,
    operation: np.ufunc = np.add,
) -> SummedT:
    """``out[:, t] = terms[:, t:t + window].sum(axis=1)`` by an addition chain.

    About ``log2(window)`` vectorised passes (:func:`_sum_program`); each
    window's sum is the same tree of its own terms wherever it lies.
    ``partial`` is scratch of shape (3, >= n_terms, >= n_rows); ``operation``
    another associative ufunc (``np.logical_or``: any in the window).
    """
    n_terms, n_rows = terms.shape
    slots = (
        partial[0, :n_terms],
        partial[1, :n_terms],
        partial[2, :n_terms],
        out,
        terms,
    )
    for left, right, target, shift, span in _sum_program(window):
        length = n_dates if target == 3 else n_rows - span + 1
        operation(
            slots[left][:, :length],
            slots[right][:, shift : shift + length],
            out=slots[target][:, :length],
        )
    return out


def _two_pass(
    rows: FloatArray, dates: npt.NDArray[np.intp], window: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Means, centred sums of squares and off-diagonal co-moments, two-pass.

    For the windows starting at ``dates`` (columns of ``rows``); the
    co-moments come in the order and scaling of :func:`_pair_products`.
    """
    n = rows.shape[0]
    inv_window = 1.0 / window
    total = np.zeros((n, len(dates)))
    for k in range(window):
        total += rows[:, dates + k]
    mean = total * inv_window
    left, right = np.triu_indices(n, 1)
    squares = np.zeros((n, len(dates)))
    pairs = np.zeros((len(left), len(dates)))
    for k in range(window):
        deviation = rows[:, dates + k] - mean
        squares += deviation * deviation
        pairs += deviation[left] * deviation[right]
    pairs *= 2.0
    return mean, squares, pairs
