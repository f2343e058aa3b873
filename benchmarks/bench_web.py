"""Bounded load test of the dashboard on loopback.

    python benchmarks/bench_web.py [--clients 50] [--duration 20] [--store PATH]

Starts the dashboard (uvicorn, one process) on a free 127.0.0.1 port over a
store holding the bundled data, computes every URL once (cold timings), then
runs ``--clients`` concurrent keep-alive clients for ``--duration`` seconds
against the cached pages and API and prints requests per second, p50/p95/p99
latency and errors, overall and per URL. Peers measured in the same run with
the same load generator (half the duration each):

* ``fastapi-hello``: the same stack (FastAPI + uvicorn) answering a constant
  ``{"ok": true}``, the ceiling any FastAPI app can reach here;
* ``http.server``: the standard library's threading file server handing out
  the same cached ``report.json`` and dashboard HTML bytes from disk.

The load generator is a minimal asyncio HTTP/1.1 client in this process; the
servers run in their own processes so they do not share its GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import numpy as np

HOST = "127.0.0.1"
AS_OF = "2025-06-02"
URLS = (
    "/api/health",
    f"/api/thesis/status?as_of={AS_OF}",
    f"/api/thesis/history?as_of={AS_OF}",
    f"/api/indicators/avg_corr?symbols=NVDA,MSFT,GOOGL,META&window=63&as_of={AS_OF}",
    f"/api/backtest?strategy=relative_momentum&window=126&as_of={AS_OF}",
    f"/api/sections/rrg?as_of={AS_OF}",
    f"/?as_of={AS_OF}&sections=rrg,fed",
    f"/section/rrg?as_of={AS_OF}",
)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait(port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=5).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path}")


def _start(code: str, port: int, probe: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(port, probe)
    except RuntimeError:
        proc.kill()
        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "") from None
    return proc


async def _client(port, urls, offset, deadline, samples, errors):
    reader = writer = None
    i = offset
    while time.perf_counter() < deadline:
        path = urls[i % len(urls)]
        i += 1
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            samples[path].append(time.perf_counter() - start)
            if status != 200:
                errors[path] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors[path] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def load(port: int, urls, *, clients: int, duration: float):
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)

    async def main() -> None:
        deadline = time.perf_counter() + duration
        await asyncio.gather(
            *(_client(port, urls, k, deadline, samples, errors) for k in range(clients))
        )

    asyncio.run(main())
    # Throughput over the fixed window: a server whose listen backlog overflows
    # can leave a client in TCP SYN retries past the deadline.
    return samples, errors, duration


def _row(name, lat, errs, seconds):
    ms = np.asarray(lat) * 1e3
    if len(ms) == 0:
        return f"{name:58s} {0:>8} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {errs:>6}"
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return (
        f"{name:58s} {len(ms):>8} {len(ms) / seconds:>8.0f} {p50:>8.1f} {p95:>8.1f} "
        f"{p99:>8.1f} {errs:>6}"
    )


def report(title, samples, errors, seconds, *, per_url=True):
    print(f"\n{title}")
    print(
        f"{'':58s} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    )
    every = [x for v in samples.values() for x in v]
    print(_row("ALL", every, sum(errors.values()), seconds))
    if per_url:
        for url in sorted(samples):
            print(_row("  " + url[:56], samples[url], errors[url], seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--store", type=Path, default=None)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_web_"))
    store = args.store or work / "store.duckdb"
    if args.store is None:
        from rotation.data.ingest import ensure_bundled
        from rotation.data.store import open_store

        ensure_bundled(open_store(store))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, store {store}")
    print(f"{args.clients} concurrent keep-alive clients on loopback")

    # -- rotation dashboard ------------------------------------------------------
    port = _free_port()
    ours = _start(
        f"""
        import os
        from rotation.web import serve
        serve(port=int(os.environ["PORT"]), store_path={str(store)!r},
              load_bundled=False, log_level="warning")
        """,
        port,
        "/api/health",
    )
    try:
        print("\ncold (first computation, then cached):")
        bodies = {}
        for url in URLS:
            start = time.perf_counter()
            bodies[url] = urllib.request.urlopen(
                f"http://{HOST}:{port}{url}", timeout=600
            ).read()
            cold = time.perf_counter() - start
            start = time.perf_counter()
            urllib.request.urlopen(f"http://{HOST}:{port}{url}", timeout=60).read()
            warm = time.perf_counter() - start
            print(
                f"  {url[:70]:70s} cold {cold * 1e3:8.0f} ms  cached {warm * 1e3:6.1f} ms  {len(bodies[url]) / 1e3:7.0f} kB"
            )
        samples, errors, seconds = load(
            port, URLS, clients=args.clients, duration=args.duration
        )
        report(
            f"rotation dashboard, cached, {args.duration:g} s", samples, errors, seconds
        )
    finally:
        ours.terminate()
        ours.wait(10)

    peer_seconds = args.duration / 2
    # -- peer 1: FastAPI hello world on the same stack ----------------------------
    port = _free_port()
    hello = _start(
        """
        import os, uvicorn
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/ping")
        def ping():
            return {"ok": True}
        uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning", access_log=False)
        """,
        port,
        "/ping",
    )
    try:
        samples, errors, seconds = load(
            port, ["/ping"], clients=args.clients, duration=peer_seconds
        )
        report(
            f"peer fastapi-hello (constant JSON), {peer_seconds:g} s",
            samples,
            errors,
            seconds,
            per_url=False,
        )
    finally:
        hello.terminate()
        hello.wait(10)

    # -- peer 2: stdlib threading file server with the same bytes -------------------
    static = work / "static"
    static.mkdir()
    (static / "report.json").write_bytes(bodies[f"/api/thesis/status?as_of={AS_OF}"])
    (static / "dashboard.html").write_bytes(bodies[f"/?as_of={AS_OF}&sections=rrg,fed"])
    port = _free_port()
    files = _start(
        f"""
        import os, functools
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
        class Handler(SimpleHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
        handler = functools.partial(Handler, directory={str(static)!r})
        ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), handler).serve_forever()
        """,
        port,
        "/report.json",
    )
    try:
        samples, errors, seconds = load(
            port,
            ["/report.json", "/dashboard.html"],
            clients=args.clients,
            duration=peer_seconds,
        )
        report(
            f"peer http.server (same status JSON + dashboard HTML from disk), {peer_seconds:g} s",
            samples,
            errors,
            seconds,
        )
    finally:
        files.terminate()
        files.wait(10)


if __name__ == "__main__":
    main()
