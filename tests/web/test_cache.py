from __future__ import annotations

import threading
import time

import pytest

from rotation.web import ComputeCache


class TestProperties:
    def test_hit_returns_the_same_object_without_recomputing(self):
        cache = ComputeCache(4)
        calls = []
        first = cache.get_or_compute(("k", 1), lambda: calls.append(1) or [1])
        second = cache.get_or_compute(("k", 1), lambda: calls.append(1) or [2])
        assert first is second
        assert calls == [1]
        assert (cache.hits, cache.misses) == (1, 1)

    def test_least_recently_used_is_dropped(self):
        cache = ComputeCache(2)
        cache.get_or_compute("a", lambda: 1)
        cache.get_or_compute("b", lambda: 2)
        cache.get_or_compute("a", lambda: 1)  # "a" is now the most recent
        cache.get_or_compute("c", lambda: 3)
        assert "a" in cache and "c" in cache and "b" not in cache
        assert len(cache) == 2

    def test_one_computation_per_key_under_concurrency(self):
        cache = ComputeCache(8)
        calls = []
        lock = threading.Lock()

        def slow() -> int:
            with lock:
                calls.append(1)
            time.sleep(0.2)
            return 42

        results: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(cache.get_or_compute("k", slow))
            )
            for _ in range(12)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [42] * 12
        assert len(calls) == 1

    def test_different_keys_compute_in_parallel(self):
        # Each computation waits until all four are running at once: if the cache
        # serialised different keys, the barrier would break instead of a clock check.
        cache = ComputeCache(8)
        barrier = threading.Barrier(4, timeout=10)
        results: dict[int, int] = {}

        def compute(k: int) -> int:
            barrier.wait()
            return k * 10

        threads = [
            threading.Thread(
                target=lambda k=k: results.__setitem__(
                    k, cache.get_or_compute(k, lambda: compute(k))
                )
            )
            for k in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not barrier.broken
        assert results == {0: 0, 1: 10, 2: 20, 3: 30}

    def test_failure_caches_nothing_and_is_retried(self):
        cache = ComputeCache(4)

        def boom() -> int:
            raise RuntimeError("transient")

        with pytest.raises(RuntimeError):
            cache.get_or_compute("k", boom)
        assert "k" not in cache
        assert cache.get_or_compute("k", lambda: 7) == 7

    def test_clear(self):
        cache = ComputeCache(4)
        cache.get_or_compute("k", lambda: 1)
        cache.clear()
        assert len(cache) == 0


class TestErrors:
    def test_maxsize_must_be_positive(self):
        with pytest.raises(ValueError, match="maxsize must be at least 1"):
            ComputeCache(0)
