"""Run the dashboard: in the foreground (``rotation serve``) or in a thread (tests)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from rotation.web._app import create_app

__all__ = ["BackgroundServer", "free_port", "serve"]


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _prepare_store(store_path: str | Path | None, load_bundled: bool) -> Path:
    from rotation.data.store import default_store_path, open_store

    path = Path(store_path) if store_path else default_store_path()
    if load_bundled:
        from rotation.data.ingest import ensure_bundled

        # The operator's start-up write, before any request is served.
        ensure_bundled(open_store(path))
    return path


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    store_path: str | Path | None = None,
    thesis_dir: str | Path | None = None,
    allow_writes: bool = False,
    token: str | None = None,
    load_bundled: bool = True,
    log_level: str = "info",
) -> None:
    """Serve the dashboard with uvicorn until interrupted.

    Parameters
    ----------
    host : str, default "127.0.0.1"
        Interface to bind; the loopback default keeps the dashboard private.
    port : int, default 8765
    store_path : str or Path, optional
        DuckDB store (default ``$ROTATION_STORE`` or the user store).
    thesis_dir : str or Path, optional
        Folder of YAML theses offered by name.
    allow_writes : bool, default False
        Enable ``POST /api/data/update`` (then ``token`` is required).
    token : str, optional
        Bearer token for writes (16 characters or more).
    load_bundled : bool, default True
        Load the bundled dataset into the store first if it never was.
    log_level : str, default "info"
    """
    path = _prepare_store(store_path, load_bundled)
    app = create_app(
        path, thesis_dir=thesis_dir, allow_writes=allow_writes, token=token
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


class BackgroundServer:
    """A real uvicorn server on a free loopback port, in a daemon thread.

    Parameters
    ----------
    store_path : str or Path
        An existing store.
    thesis_dir : str or Path, optional
    allow_writes : bool, default False
    token : str, optional
    host : str, default "127.0.0.1"
    port : int, optional
        A free port is chosen when omitted.

    Examples
    --------
    ``with BackgroundServer(path) as server: httpx.get(server.url + "/api/health")``
    """

    def __init__(
        self,
        store_path: str | Path,
        *,
        thesis_dir: str | Path | None = None,
        allow_writes: bool = False,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
    ) -> None:
        self.app = create_app(
            store_path, thesis_dir=thesis_dir, allow_writes=allow_writes, token=token
        )
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(
            self.app,
            host=host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:50123``."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        """Start serving and wait until the socket accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the dashboard did not start on {self.url} within {timeout:g} s"
                )
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
