"""Type aliases shared across the package.

Conventions (see ``docs/glossary.md``):

* A *panel* is a wide ``DataFrame`` indexed by tz-naive session dates with one
  column per asset, shape ``(n_observations, n_assets)``.
* *Prices* are adjusted closes unless a name says otherwise; *returns* are simple
  returns unless a name says ``log_returns``.
"""

from __future__ import annotations

import datetime as _dt
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]

#: A wide panel of adjusted prices, ``(n_observations, n_assets)``.
Prices: TypeAlias = pd.DataFrame
#: A wide panel of simple returns, ``(n_observations, n_assets)``.
Returns: TypeAlias = pd.DataFrame
#: Anything that ``pandas.Timestamp`` accepts as a calendar date.
DateLike: TypeAlias = str | _dt.date | _dt.datetime | pd.Timestamp
