"""Register-tiled banded product, the O(N * window) core of the average correlation.

``P[s, t] = x_s . c_t`` for the ``window`` rows ``s`` of each date ``t``, in
tiles of ``rows`` observations by ``dates`` dates whose ``rows * dates``
accumulators stay in vector registers while the loop over the assets is
vectorised to full SIMD width, on rows padded to a multiple of :data:`LANES`
and aligned to 64 bytes.

The best tile depends on the register file, not on one CPU: 24 accumulators
fit the 32 vector registers of AVX-512 and Arm (6 x 4), but spill on AVX2's 16
(measured 2.5x slower there), where 4 x 3 fits. :data:`TILE` is chosen once,
from the instruction set numba compiles for (:func:`select_tile`), so only
that shape is ever compiled. Every shape computes each dot product with the
same instructions in the same order, so every shape gives bit-identical
numbers (tested). The average-correlation kernels call :data:`_band_tile`,
this machine's shape, as a global: one specialisation to compile, and numba's
disk cache is keyed by the CPU, so a cache never serves another ISA's shape.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import NamedTuple, TypeVar, cast

from numba import njit

from rotation._typing import FloatArray, IntArray

# Reassociation lets LLVM vectorise the dot products; "nnan"/"ninf" are left out
# on purpose because the kernels test for NaN.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}

LANES = 8  # float64 lanes of a 512-bit register; rows are padded to a multiple


KernelT = TypeVar("KernelT", bound=Callable[..., object])


def compile_kernel(function: KernelT, *, inline: bool = False) -> KernelT:
    """Jit ``function`` as every average-correlation kernel is compiled.

    Cached on disk, GIL released (spans run on threads), fast-math without
    ``nnan``/``ninf``, no bounds checks (the callers validate), and numpy's
    error model (a float division never raises, so loops with one vectorise).
    ``inline`` puts a helper's body into its one caller in numba's IR: one
    function less to compile on a first run.
    """
    compiled = njit(
        function,
        cache=True,
        nogil=True,
        fastmath=_FASTMATH,
        boundscheck=False,
        error_model="numpy",
        inline="always" if inline else "never",
    )
    return cast(KernelT, compiled)


class Tile6x4(NamedTuple):
    """6 observations x 4 dates: 24 accumulators, for 32 vector registers."""

    rows: int = 6
    dates: int = 4


class Tile4x3(NamedTuple):
    """4 observations x 3 dates: 12 accumulators, for 16 vector registers."""

    rows: int = 4
    dates: int = 3


Tile = Tile6x4 | Tile4x3
TILES: tuple[Tile, ...] = (Tile6x4(), Tile4x3())
"""Every candidate tile, the largest first."""


def _band_tile_6x4_py(
    clean: FloatArray,
    rows: IntArray,
    coef: FloatArray,
    lo: int,
    last: int,
    product: FloatArray,
) -> None:
    """Dot products of the observations ``lo..last`` with 4 coefficient rows.

    6 rows x 4 dates at a time: 24 accumulators.

    Parameters
    ----------
    clean : ndarray of shape (n_rows, n_padded)
        Padded returns (0.0 for NaN); ``n_padded`` a multiple of ``LANES``.
    rows : ndarray of int64
        Row of ``clean`` for each observation.
    coef : ndarray of shape (4, n_padded)
        One coefficient row per date of the tile.
    lo, last : int
        First and last observation of the band; rows past ``last`` are
        clamped to it (their products are computed but never read).
    product : ndarray of shape (>= last - lo + 1 + 6, 4)
        Receives ``product[s - lo, j] = clean[rows[s]] . coef[j]``.
    """
    n = clean.shape[1]
    for r0 in range(0, last - lo + 1, 6):
        x0 = clean[rows[lo + r0]]
        x1 = clean[rows[min(lo + r0 + 1, last)]]
        x2 = clean[rows[min(lo + r0 + 2, last)]]
        x3 = clean[rows[min(lo + r0 + 3, last)]]
        x4 = clean[rows[min(lo + r0 + 4, last)]]
        x5 = clean[rows[min(lo + r0 + 5, last)]]
        c0, c1, c2, c3 = coef[0], coef[1], coef[2], coef[3]
        a00 = a01 = a02 = a03 = 0.0
        a10 = a11 = a12 = a13 = 0.0
        a20 = a21 = a22 = a23 = 0.0
        a30 = a31 = a32 = a33 = 0.0
        a40 = a41 = a42 = a43 = 0.0
        a50 = a51 = a52 = a53 = 0.0
        for k in range(n):
            v0, v1, v2, v3, v4, v5 = x0[k], x1[k], x2[k], x3[k], x4[k], x5[k]
            w0, w1, w2, w3 = c0[k], c1[k], c2[k], c3[k]
            a00 += v0 * w0
            a01 += v0 * w1
            a02 += v0 * w2
            a03 += v0 * w3
            a10 += v1 * w0
            a11 += v1 * w1
            a12 += v1 * w2
            a13 += v1 * w3
            a20 += v2 * w0
            a21 += v2 * w1
            a22 += v2 * w2
            a23 += v2 * w3
            a30 += v3 * w0
            a31 += v3 * w1
            a32 += v3 * w2
            a33 += v3 * w3
            a40 += v4 * w0
            a41 += v4 * w1
            a42 += v4 * w2
            a43 += v4 * w3
            a50 += v5 * w0
            a51 += v5 * w1
            a52 += v5 * w2
            a53 += v5 * w3
        out = product[r0 : r0 + 6]
        out[0, 0], out[0, 1], out[0, 2], out[0, 3] = a00, a01, a02, a03
        out[1, 0], out[1, 1], out[1, 2], out[1, 3] = a10, a11, a12, a13
        out[2, 0], out[2, 1], out[2, 2], out[2, 3] = a20, a21, a22, a23
        out[3, 0], out[3, 1], out[3, 2], out[3, 3] = a30, a31, a32, a33
        out[4, 0], out[4, 1], out[4, 2], out[4, 3] = a40, a41, a42, a43
        out[5, 0], out[5, 1], out[5, 2], out[5, 3] = a50, a51, a52, a53


def _band_tile_4x3_py(
    clean: FloatArray,
    rows: IntArray,
    coef: FloatArray,
    lo: int,
    last: int,
    product: FloatArray,
) -> None:
    """:func:`_band_tile_6x4_py` with 4 rows x 3 dates: 12 accumulators."""
    n = clean.shape[1]
    for r0 in range(0, last - lo + 1, 4):
        x0 = clean[rows[lo + r0]]
        x1 = clean[rows[min(lo + r0 + 1, last)]]
        x2 = clean[rows[min(lo + r0 + 2, last)]]
        x3 = clean[rows[min(lo + r0 + 3, last)]]
        c0, c1, c2 = coef[0], coef[1], coef[2]
        a00 = a01 = a02 = 0.0
        a10 = a11 = a12 = 0.0
        a20 = a21 = a22 = 0.0
        a30 = a31 = a32 = 0.0
        for k in range(n):
            v0, v1, v2, v3 = x0[k], x1[k], x2[k], x3[k]
            w0, w1, w2 = c0[k], c1[k], c2[k]
            a00 += v0 * w0
            a01 += v0 * w1
            a02 += v0 * w2
            a10 += v1 * w0
            a11 += v1 * w1
            a12 += v1 * w2
            a20 += v2 * w0
            a21 += v2 * w1
            a22 += v2 * w2
            a30 += v3 * w0
            a31 += v3 * w1
            a32 += v3 * w2
        out = product[r0 : r0 + 4]
        out[0, 0], out[0, 1], out[0, 2] = a00, a01, a02
        out[1, 0], out[1, 1], out[1, 2] = a10, a11, a12
        out[2, 0], out[2, 1], out[2, 2] = a20, a21, a22
        out[3, 0], out[3, 1], out[3, 2] = a30, a31, a32


_BAND_TILES_PY: dict[type, Callable[..., None]] = {
    Tile6x4: _band_tile_6x4_py,
    Tile4x3: _band_tile_4x3_py,
}
_BAND_TILES = {
    shape: compile_kernel(kernel) for shape, kernel in _BAND_TILES_PY.items()
}
# Registers each shape needs: its accumulators plus the rows and coefficients
# loaded per step, less what LLVM folds into memory operands.
_REGISTERS = {Tile6x4: 32, Tile4x3: 16}


def vector_registers(cpu_features: str, machine: str) -> int:
    """Return the number of SIMD registers of an instruction set.

    Parameters
    ----------
    cpu_features : str
        LLVM feature string (``"+avx2,-avx512f,..."``), as numba targets.
    machine : str
        ``platform.machine()`` (``"x86_64"``, ``"aarch64"``, ``"arm64"``...).
    """
    if machine.lower() in {"aarch64", "arm64", "ppc64le", "ppc64"}:
        return 32  # Arm NEON/SVE: 32; POWER VSX: 64
    return 32 if "+avx512f" in cpu_features.split(",") else 16


def select_tile(registers: int) -> Tile:
    """Return the largest candidate tile whose accumulators fit ``registers``."""
    for tile in TILES:
        if _REGISTERS[type(tile)] <= registers:
            return tile
    return TILES[-1]


def _target_features() -> str:
    """Return the CPU features numba compiles for (its override, else the host's)."""
    from llvmlite import binding
    from numba.core import config

    features = getattr(config, "CPU_FEATURES", None)
    if features is not None:
        return str(features)
    try:
        return str(binding.get_host_cpu_features().flatten())
    except RuntimeError:  # llvmlite cannot read them on this platform
        return ""


TILE: Tile = select_tile(vector_registers(_target_features(), platform.machine()))
"""The tile shape of this machine's instruction set."""
TILE_ROWS, TILE_DATES = TILE.rows, TILE.dates

_band_tile_py = _BAND_TILES_PY[type(TILE)]
_band_tile = _BAND_TILES[type(TILE)]
