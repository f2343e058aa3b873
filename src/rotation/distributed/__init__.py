"""Dask shell: run sweeps on a ``distributed`` cluster.

Nothing in the core knows which machine runs it; this package only splits a
sweep into chunks, scatters the inputs once and gathers the results.
``dask[distributed]`` is an optional dependency (the ``dist`` extra).
"""

from __future__ import annotations

from rotation.distributed._sweep import chunk_pairs, run_sweep

__all__ = ["chunk_pairs", "run_sweep"]
