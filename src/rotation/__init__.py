"""rotation: turn a market-rotation thesis into code.

Point-in-time market data in DuckDB, causal rotation indicators, a thesis
engine, regimes, backtests and risk, with a self-contained HTML report.

The notebook entry point is :func:`open_store`; the pure analytics live in the
subpackages (``rotation.indicators``, ``rotation.thesis``, ...).
"""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import TYPE_CHECKING, Any

from rotation.market import MarketData, SeriesInfo

if TYPE_CHECKING:
    from rotation.data.store import Store

try:
    __version__ = _metadata.version("rotation")
except _metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["MarketData", "SeriesInfo", "__version__", "open_analysis", "open_store"]


def open_analysis(*args: Any, **kwargs: Any) -> Any:
    """Build an :class:`rotation.analysis.Analysis` from the store.

    See :func:`rotation.workspace.open_analysis` for the parameters.
    """
    from rotation.workspace import open_analysis as _open_analysis

    return _open_analysis(*args, **kwargs)


def open_store(
    path: Any = None, *, read_only: bool = False, lock_timeout: float = 30.0
) -> Store:
    """Open (creating on first use) the DuckDB store.

    Parameters
    ----------
    path : str or Path, optional
        Store file. Defaults to ``$ROTATION_STORE`` or
        ``~/.local/share/rotation/rotation.duckdb``.
    read_only : bool, default False
        Open without taking the write lock.
    lock_timeout : float, default 30.0
        Seconds to wait for another writer before raising ``StoreBusyError``.

    Returns
    -------
    Store
    """
    # Imported lazily so that ``import rotation`` (and the pure core) never
    # pulls in duckdb.
    from rotation.data.store import open_store as _open

    return _open(path, read_only=read_only, lock_timeout=lock_timeout)
