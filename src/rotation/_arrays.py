"""Arrays handed to numba kernels, in one layout and one writability.

numba compiles one specialisation per argument type, and a read-only array
is a different type from a writable one. pandas hands out read-only views or
fresh copies depending on the case (copy-on-write), so the same kernel call
could compile twice on a first run (~0.3-0.7 s each). Kernels only read their
inputs, so they always get a read-only view.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["kernel_input"]


def kernel_input(values: object, order: Literal["C", "F"] = "C") -> np.ndarray:
    """Return ``values`` as a read-only float64 array in ``order`` (no copy if it is).

    Parameters
    ----------
    values : array_like
    order : {"C", "F"}, default "C"
        Row-major or column-major memory layout.

    Returns
    -------
    ndarray of float64
        A read-only view; NaN stays NaN.
    """
    array = np.asarray(values, dtype=np.float64, order=order)
    if not (array.flags.c_contiguous if order == "C" else array.flags.f_contiguous):
        array = array.copy(order=order)
    view = array.view()
    view.flags.writeable = False
    return view
