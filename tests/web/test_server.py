"""The real server (uvicorn on a loopback port): concurrency and caching."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx


def _misses(server) -> int:
    return server.app.state.service.cache.misses


class TestConcurrency:
    def test_concurrent_requests_share_one_computation(self, server):
        # Reference: how many results one request for a fresh date computes
        # (after a first request has loaded the thesis itself).
        httpx.get(f"{server.url}/api/thesis/status?as_of=2025-03-03", timeout=120)
        before = _misses(server)
        single = httpx.get(
            f"{server.url}/api/thesis/status?as_of=2025-03-05", timeout=120
        )
        assert single.status_code == 200
        per_request = _misses(server) - before

        before = _misses(server)
        url = f"{server.url}/api/thesis/status?as_of=2025-03-04"
        with ThreadPoolExecutor(12) as pool:
            responses = list(pool.map(lambda _: httpx.get(url, timeout=120), range(12)))
        assert {r.status_code for r in responses} == {200}
        assert len({r.content for r in responses}) == 1
        assert _misses(server) - before == per_request  # not 12 x

    def test_binds_loopback_and_answers_health(self, server):
        assert server.host == "127.0.0.1"
        body = httpx.get(f"{server.url}/api/health", timeout=30).json()
        assert body["status"] == "ok"
        assert body["writes_enabled"] is False
