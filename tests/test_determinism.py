"""Every part has one value whichever process computes it.

The report, the dashboard and the report's fork compute parts in different
processes, with BLAS thread pools of their own; a quantity must still have
one value on every surface. Two processes, one with a one-thread BLAS, must
write identical JSON for every part of the default analysis.
"""

from __future__ import annotations

import os
import subprocess
import sys

_PARTS = """
import json, sys, rotation
from rotation.analysis import PARTS, to_jsonable
analysis = rotation.open_analysis(store=sys.argv[1])
json.dump({p: to_jsonable(getattr(analysis, p)) for p in PARTS},
          open(sys.argv[2], "w"), sort_keys=True, default=str)
"""


def test_every_part_is_the_same_with_one_blas_thread(tmp_path):
    import rotation

    store = tmp_path / "det.duckdb"
    rotation.open_store(store)  # loads the bundle once
    outputs = []
    for threads in ("1", None):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
        env["ROTATION_PARALLEL_PARTS"] = "0"
        if threads:
            env["OPENBLAS_NUM_THREADS"] = threads
        out = tmp_path / f"parts-{threads or 'default'}.json"
        # a results folder per run: each process computes every part itself
        results = store.with_name(f"{store.name}.results")
        if results.exists():
            import shutil

            shutil.rmtree(results)
        done = subprocess.run(
            [sys.executable, "-c", _PARTS, str(store), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1]
