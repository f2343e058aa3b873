"""The ``rotation`` command line: a thin shell over the store, report and core.

Every command works offline on the bundled dataset; ``data update --source
yfinance|fred`` needs the ``[live]`` extra and the network. One module per
command group; importing them registers their commands on :data:`app`.
"""

from __future__ import annotations

from rotation.cli import (  # noqa: F401  (registers commands)
    _analytics,
    _backtest,
    _data,
    _regimes,
    _report,
    _risk,
    _thesis,
    _watch,
)
from rotation.cli._common import app

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console entry point
    """Run the CLI."""
    app()
