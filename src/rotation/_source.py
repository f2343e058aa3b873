"""A digest of the package's source files, for caches that code changes invalidate."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__all__ = ["source_digest"]


@cache
def source_digest() -> str:
    """Return a digest of every ``.py`` file of the package (path, size, mtime).

    Read once per process: a running process keeps the code it imported, so
    a later edit would not change what it computes either.

    An edited, upgraded or reinstalled package gets a new digest, so results
    (:func:`rotation.workspace.code_version`) and compiled kernels
    (:mod:`rotation._compile_ahead`) of other code are never taken for its own.
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(
            f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
        )
    return digest.hexdigest()
