"""Register-tiled banded product, the O(N * window) core of the average correlation.

``P[s, t] = x_s . c_t`` for the ``window`` rows ``s`` of each date ``t``, in
tiles of :data:`TILE_ROWS` rows by :data:`TILE_DATES` dates whose 24
accumulators stay in registers and whose inner loop LLVM vectorises to full
SIMD width (AVX-512 where the CPU has it), on rows padded to a multiple of
:data:`LANES` and aligned to 64 bytes. Written as plain Python
(``_band_tile_py``) and jitted (``_band_tile``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt
from numba import njit

from rotation._typing import FloatArray

# Reassociation lets LLVM vectorise the dot products; "nnan"/"ninf" are left out
# on purpose because the kernels test for NaN.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}

TILE_ROWS = 4
TILE_DATES = 6
LANES = 8  # float64 lanes of a 512-bit register; rows are padded to a multiple

IntArray = npt.NDArray[np.int64]

KernelT = TypeVar("KernelT", bound=Callable[..., object])


def compile_kernel(function: KernelT) -> KernelT:
    """Jit ``function`` as every average-correlation kernel is compiled.

    Cached on disk, GIL released (spans run on threads), fast-math without
    ``nnan``/``ninf``, no bounds checks (the callers validate).
    """
    compiled = njit(
        function, cache=True, nogil=True, fastmath=_FASTMATH, boundscheck=False
    )
    return cast(KernelT, compiled)


def _band_tile_py(
    clean: FloatArray,
    rows: IntArray,
    coef: FloatArray,
    lo: int,
    last: int,
    product: FloatArray,
) -> None:
    """Dot products of the observations ``lo..`` with ``TILE_DATES`` coefficient rows.

    Parameters
    ----------
    clean : ndarray of shape (n_rows, n_padded)
        Padded returns (0.0 for NaN); ``n_padded`` a multiple of ``LANES``.
    rows : ndarray of int64
        Row of ``clean`` for each observation.
    coef : ndarray of shape (TILE_DATES, n_padded)
        One coefficient row per date of the tile.
    lo, last : int
        First and last observation of the band; rows past ``last`` are
        clamped to it (their products are computed but never read).
    product : ndarray of shape (>= rows of the band rounded up to TILE_ROWS, TILE_DATES)
        Receives ``product[s - lo, j] = clean[rows[s]] . coef[j]``.
    """
    n = clean.shape[1]
    for r0 in range(0, last - lo + 1, TILE_ROWS):
        x0 = clean[rows[lo + r0]]
        x1 = clean[rows[min(lo + r0 + 1, last)]]
        x2 = clean[rows[min(lo + r0 + 2, last)]]
        x3 = clean[rows[min(lo + r0 + 3, last)]]
        c0, c1, c2, c3, c4, c5 = coef[0], coef[1], coef[2], coef[3], coef[4], coef[5]
        # 24 scalar accumulators: LLVM keeps each in a vector register and the
        # k loop becomes 10 vector loads and 24 fused multiply-adds.
        a00 = a01 = a02 = a03 = a04 = a05 = 0.0
        a10 = a11 = a12 = a13 = a14 = a15 = 0.0
        a20 = a21 = a22 = a23 = a24 = a25 = 0.0
        a30 = a31 = a32 = a33 = a34 = a35 = 0.0
        for k in range(n):
            v0, v1, v2, v3 = x0[k], x1[k], x2[k], x3[k]
            w0, w1, w2, w3, w4, w5 = c0[k], c1[k], c2[k], c3[k], c4[k], c5[k]
            a00 += v0 * w0
            a01 += v0 * w1
            a02 += v0 * w2
            a03 += v0 * w3
            a04 += v0 * w4
            a05 += v0 * w5
            a10 += v1 * w0
            a11 += v1 * w1
            a12 += v1 * w2
            a13 += v1 * w3
            a14 += v1 * w4
            a15 += v1 * w5
            a20 += v2 * w0
            a21 += v2 * w1
            a22 += v2 * w2
            a23 += v2 * w3
            a24 += v2 * w4
            a25 += v2 * w5
            a30 += v3 * w0
            a31 += v3 * w1
            a32 += v3 * w2
            a33 += v3 * w3
            a34 += v3 * w4
            a35 += v3 * w5
        out = product[r0 : r0 + TILE_ROWS]
        out[0, 0], out[0, 1], out[0, 2] = a00, a01, a02
        out[0, 3], out[0, 4], out[0, 5] = a03, a04, a05
        out[1, 0], out[1, 1], out[1, 2] = a10, a11, a12
        out[1, 3], out[1, 4], out[1, 5] = a13, a14, a15
        out[2, 0], out[2, 1], out[2, 2] = a20, a21, a22
        out[2, 3], out[2, 4], out[2, 5] = a23, a24, a25
        out[3, 0], out[3, 1], out[3, 2] = a30, a31, a32
        out[3, 3], out[3, 4], out[3, 5] = a33, a34, a35


_band_tile = compile_kernel(_band_tile_py)
