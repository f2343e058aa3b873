"""Run the dashboard: in the foreground (``rotation serve``) or in a thread (tests)."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from rotation.web._app import create_app
from rotation.web._middleware import (
    CONTENT_SECURITY_POLICY,
    MAX_HEADER_BYTES,
    MAX_URL_BYTES,
)

__all__ = [
    "TOKEN_ENV",
    "BackgroundServer",
    "LimitedH11Protocol",
    "TokenFileWarning",
    "free_port",
    "read_token",
    "serve",
]

#: Environment variable holding the write token (never pass it in argv:
#: command lines are visible to every user in ``ps``).
TOKEN_ENV = "ROTATION_TOKEN"
#: The request head h11 buffers before giving up: the URL and header limits
#: plus room for the request line and header framing. Anything within it
#: reaches the app, whose RequestLimits middleware answers 414/431 exactly.
_MAX_HEAD_BYTES = MAX_URL_BYTES + MAX_HEADER_BYTES + 8 * 1024


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class TokenFileWarning(UserWarning):
    """The token file can be read by other users.

    Make it private with ``chmod 600 FILE``; the warning then disappears.
    """


def _token_from_env(environ: Mapping[str, str], required: bool) -> str | None:
    value = environ.get(TOKEN_ENV, "").strip()
    if required and not value:
        raise ValueError(
            "writes need a token of 16 or more characters: write it to a "
            "file and pass --token-file FILE (token_file=), or set the "
            f"{TOKEN_ENV} environment variable; it is never read from argv"
        )
    return value or None


def read_token(
    token_file: str | Path | None = None,
    *,
    required: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """Read the write token from a file, else from ``$ROTATION_TOKEN``.

    Parameters
    ----------
    token_file : str or Path, optional
        A file whose content (surrounding whitespace stripped) is the token.
    required : bool, default False
        Raise instead of returning None when no token is found.
    environ : mapping, optional
        The environment to read :data:`TOKEN_ENV` from (default ``os.environ``).

    Returns
    -------
    str or None
        The token, or None when neither source gives one.

    Raises
    ------
    FileNotFoundError
        If ``token_file`` does not exist.
    ValueError
        If ``token_file`` is not a file or is empty, or ``required`` and
        neither source gives a token.

    Warns
    -----
    TokenFileWarning
        If ``token_file`` is readable by the group or other users.
    """
    if token_file is None:
        return _token_from_env(os.environ if environ is None else environ, required)
    path = Path(token_file)
    if not path.exists():
        raise FileNotFoundError(
            f"token file {str(path)!r} does not exist; write the token (16 or "
            f"more characters) to it, or set {TOKEN_ENV} instead"
        )
    if not path.is_file():
        raise ValueError(f"token file {str(path)!r} is not a regular file")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(
            f"token file {str(path)!r} can be read by other users; run "
            f"'chmod 600 {path}' to make it private",
            TokenFileWarning,
            stacklevel=2,
        )
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise ValueError(f"token file {str(path)!r} is empty; write the token to it")
    return token


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that answers an oversized request head properly.

    uvicorn answers a request head larger than h11's buffer with a bare 400
    and closes at once; a client still sending (a 1 MB query string) then
    sees a TCP reset instead of an answer. This protocol answers 414 when the
    request line is too long and 431 when the headers are, with a JSON body
    and the security headers, then half-closes and discards the rest of the
    upload for :attr:`linger_seconds` so the client can read the answer.
    """

    #: Seconds to keep discarding what the client still sends after the answer.
    linger_seconds = 2.0
    #: Bytes discarded at most before closing regardless.
    max_discard_bytes = 64 * 1024 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._discarded: int | None = None

    def data_received(self, data: bytes) -> None:
        """Feed h11, or discard the data after an error answer."""
        if self._discarded is None:
            super().data_received(data)
            return
        self._discarded += len(data)
        if self._discarded > self.max_discard_bytes:
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """Answer a request h11 could not parse: 414, 431 or 400, then linger."""
        status, message = _head_problem(self.conn.trailing_data[0], msg)
        body = json.dumps(
            {"error": message, "status": status, "parameter": None, "allowed": None}
        ).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
            (b"x-content-type-options", b"nosniff"),
        ]
        for event in (
            h11.Response(
                status_code=status,
                headers=headers,
                reason=HTTPStatus(status).phrase.encode("ascii"),
            ),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self._discarded = 0
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(self.linger_seconds, self.transport.close)


def _head_problem(buffered: bytes, msg: str) -> tuple[int, str]:
    """Return the status and message for a request head h11 refused."""
    if len(buffered) <= _MAX_HEAD_BYTES:
        return 400, f"{msg} (not a well-formed HTTP/1.1 request)"
    line_end = buffered.find(b"\n")
    if line_end < 0 or line_end > MAX_URL_BYTES + 32:
        return 414, (
            f"request line is over {MAX_URL_BYTES} bytes; the URL (path and query "
            f"string) may have at most {MAX_URL_BYTES}. Ask for less per request."
        )
    return 431, (
        f"request headers are over {MAX_HEADER_BYTES} bytes in all; the limit is "
        f"{MAX_HEADER_BYTES}. Clear this site's cookies or send fewer headers."
    )


def _config(app: Any, host: str, port: int, **options: Any) -> uvicorn.Config:
    """Build the uvicorn settings shared by :func:`serve` and the test server."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=LimitedH11Protocol,
        h11_max_incomplete_event_size=_MAX_HEAD_BYTES,
        access_log=False,
        server_header=False,
        **options,
    )


def _prepare_store(store_path: str | Path | None, load_bundled: bool) -> Path:
    from rotation.data.store import default_store_path, open_store

    path = Path(store_path) if store_path else default_store_path()
    if load_bundled:
        from rotation.data.ingest import ensure_bundled

        # The operator's start-up write, before any request is served.
        ensure_bundled(open_store(path))
    return path


def _bound_names(host: str, host_allow: Iterable[str] | None) -> list[str]:
    """``host_allow`` plus the interface name bound, unless it is a wildcard."""
    names = list(host_allow or ())
    if host not in ("0.0.0.0", "::", ""):
        names.append(f"[{host}]" if ":" in host else host)
    return names


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    store_path: str | Path | None = None,
    thesis_dir: str | Path | None = None,
    allow_writes: bool = False,
    token: str | None = None,
    token_file: str | Path | None = None,
    host_allow: Iterable[str] | None = None,
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
        Enable ``POST /api/data/update`` (then a token is required).
    token : str, optional
        Bearer token for writes (16 characters or more). When omitted and
        writes are enabled, it is read by :func:`read_token` from
        ``token_file``, else from ``$ROTATION_TOKEN``.
    token_file : str or Path, optional
        File holding the token (keep it ``chmod 600``).
    host_allow : iterable of str, optional
        Host names accepted besides the loopback names (and ``host`` itself
        when it is not a wildcard address); see :func:`create_app`.
    load_bundled : bool, default True
        Load the bundled dataset into the store first if it never was.
    log_level : str, default "info"

    Raises
    ------
    ValueError
        If writes are enabled without a token of 16+ characters, or a
        ``host_allow`` entry is not a host name.
    FileNotFoundError
        If the store, thesis folder or token file does not exist.
    """
    if allow_writes and token is None:
        token = read_token(token_file)
    path = _prepare_store(store_path, load_bundled)
    app = create_app(
        path,
        thesis_dir=thesis_dir,
        allow_writes=allow_writes,
        token=token,
        host_allow=_bound_names(host, host_allow),
    )
    uvicorn.Server(_config(app, host, port, log_level=log_level)).run()


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
    host_allow : iterable of str, optional
        Extra accepted Host names (see :func:`create_app`).

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
        host_allow: Iterable[str] | None = None,
    ) -> None:
        self.app = create_app(
            store_path,
            thesis_dir=thesis_dir,
            allow_writes=allow_writes,
            token=token,
            host_allow=host_allow,
        )
        self.host = host
        self.port = port or free_port(host)
        config = _config(self.app, host, self.port, log_level="warning", lifespan="off")
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
