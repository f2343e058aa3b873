"""A thread-safe LRU cache that computes each key at most once at a time."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["ComputeCache"]

T = TypeVar("T")


class ComputeCache:
    """Least-recently-used cache of computed results keyed by their inputs.

    Parameters
    ----------
    maxsize : int, default 256
        Number of results kept; the least recently used is dropped first.

    Notes
    -----
    Concurrent requests for one missing key wait for a single computation
    (one lock per key) instead of all computing it; requests for different
    keys compute in parallel. A computation that raises caches nothing, so a
    transient failure is retried by the next request.
    """

    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1 (got {maxsize}).")
        self.maxsize = maxsize
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._guard = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._guard:
            return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        with self._guard:
            return key in self._values

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the cached value of ``key``, computing it once if missing.

        Parameters
        ----------
        key : hashable
            The inputs that determine the result, e.g.
            ``("section", thesis, as_of, section_id)``.
        compute : callable
            Called without arguments to produce the value.

        Returns
        -------
        object
            The cached or freshly computed value.
        """
        with self._guard:
            if key in self._values:
                self._values.move_to_end(key)
                self.hits += 1
                return self._values[key]
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:  # another thread may have finished it meanwhile
                if key in self._values:
                    self._values.move_to_end(key)
                    self.hits += 1
                    return self._values[key]
            try:
                value = compute()
            except BaseException:
                with self._guard:
                    self._key_locks.pop(key, None)
                raise
            with self._guard:
                self.misses += 1
                self._values[key] = value
                self._values.move_to_end(key)
                while len(self._values) > self.maxsize:
                    self._values.popitem(last=False)
                # Dropped only once the value is visible, so a late arrival
                # finds the value instead of starting a second computation.
                self._key_locks.pop(key, None)
            return value

    def clear(self) -> None:
        """Drop every cached value (after the store changed)."""
        with self._guard:
            self._values.clear()
