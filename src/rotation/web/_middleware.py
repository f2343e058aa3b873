"""Pure-ASGI guards in front of the dashboard: headers, request size, Host.

Threat model (see docs/dashboard.md): the dashboard listens on loopback and is
read by a browser on the same machine, which also visits hostile sites. Those
sites can make the browser send requests to 127.0.0.1 (CSRF-style GETs) and,
with DNS rebinding, read the answers under their own host name. The guards
here refuse any Host that is not a loopback name (or an operator's
``host_allow`` entry), forbid framing and inline scripts, and answer oversized
requests with 414/431 instead of buffering them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rotation.web import _pages

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "LOOPBACK_NAMES",
    "MAX_HEADER_BYTES",
    "MAX_URL_BYTES",
    "RequestLimits",
    "SecurityHeaders",
    "TrustedHosts",
    "error_response",
    "normalise_host_allow",
    "wants_html",
]

#: Longest request target (path and query string) accepted, in bytes.
MAX_URL_BYTES = 8 * 1024
#: Largest total of request header names and values accepted, in bytes.
MAX_HEADER_BYTES = 32 * 1024
#: Host names that always reach the dashboard (with the server's port).
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

#: Scripts only from our own origin (plotly and the dashboard script are served
#: under /static); chart data travels in non-executable JSON blocks. Styles
#: allow 'unsafe-inline' because plotly.js writes style attributes and
#: <style> rules at run time; a style cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def wants_html(path: str) -> bool:
    """Return whether errors on ``path`` are answered as an HTML page (not JSON)."""
    return not (path.startswith("/api") or path.endswith(".json"))


def error_response(
    path: str,
    status: int,
    message: str,
    *,
    parameter: str | None = None,
    allowed: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer an error as the dashboard does: HTML for pages, JSON for the API.

    Parameters
    ----------
    path : str
        The request path; ``/api/...`` and ``*.json`` get JSON.
    status : int
        HTTP status code.
    message : str
        What was wrong and what is allowed (escaped in HTML).
    parameter : str, optional
        The offending parameter or header.
    allowed : list of str, optional
        The allowed values, when there is a short list.
    headers : dict, optional
        Extra response headers.

    Returns
    -------
    Response
        ``{"error", "status", "parameter", "allowed"}`` as JSON, or the error page.
    """
    if wants_html(path):
        return HTMLResponse(
            _pages.error_page(status, message), status_code=status, headers=headers
        )
    payload: dict[str, Any] = {
        "error": message,
        "status": status,
        "parameter": parameter,
        "allowed": allowed,
    }
    return JSONResponse(payload, status_code=status, headers=headers)


class SecurityHeaders:
    """Add the CSP and other conservative headers to every HTTP response.

    Parameters
    ----------
    app : ASGI application
        The wrapped application.

    Notes
    -----
    Installed outermost, so that the 400/414/431 answers of the other guards
    and replayed cached answers carry the headers too. Headers the app set
    itself are replaced, never duplicated.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in _SECURITY_HEADERS}
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in names
                ]
                message["headers"] = headers + _SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLimits:
    """Answer an over-long URL with 414 and over-large headers with 431.

    Parameters
    ----------
    app : ASGI application
        The wrapped application.
    max_url_bytes : int, default :data:`MAX_URL_BYTES`
        Longest path plus query string.
    max_header_bytes : int, default :data:`MAX_HEADER_BYTES`
        Largest sum of header name and value lengths.

    Notes
    -----
    The server's HTTP parser refuses a request head it cannot buffer (see
    :class:`rotation.web._server.LimitedH11Protocol`); this middleware enforces the
    documented limits on every request that got through, whatever server
    runs the app. The connection stays usable (keep-alive).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_url_bytes: int = MAX_URL_BYTES,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ) -> None:
        self.app = app
        self.max_url_bytes = max_url_bytes
        self.max_header_bytes = max_header_bytes

    def _problem(self, scope: Scope) -> tuple[int, str] | None:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        url = len(raw_path) + len(scope.get("query_string", b"")) + 1
        if url > self.max_url_bytes:
            return 414, (
                f"request URL is {url} bytes; the limit is {self.max_url_bytes}. "
                "Ask for fewer symbols or sections at a time."
            )
        size = sum(len(k) + len(v) for k, v in scope.get("headers", []))
        if size > self.max_header_bytes:
            return 431, (
                f"request headers are {size} bytes in all; the limit is "
                f"{self.max_header_bytes}. Clear this site's cookies or send "
                "fewer headers."
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = self._problem(scope) if scope["type"] == "http" else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, message = problem
        response = error_response(scope["path"][:200], status, message)
        await response(scope, receive, send)


def _split_host(value: str) -> tuple[str, int | None]:
    """``'[::1]:8765'`` -> ``('::1', 8765)``; the port is None when absent."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        name, _, port_text = value.partition(":")
    else:
        name, port_text = value, ""
    if port_text and not port_text.isdigit():
        raise ValueError(f"bad port {port_text!r}")
    return name, int(port_text) if port_text else None


def normalise_host_allow(names: Iterable[str] | None) -> tuple[str, ...]:
    """Check and normalise operator ``host_allow`` entries.

    Parameters
    ----------
    names : iterable of str, optional
        Host names, optionally with a port (``dash.example.org``,
        ``dash.example.org:443``, ``[fd00::5]:8765``).

    Returns
    -------
    tuple of str
        Lower-case entries, IPv6 brackets kept, in the order given.

    Raises
    ------
    ValueError
        If an entry is empty, has a path, scheme, space or bad port.
    """
    out: list[str] = []
    for raw in names or ():
        entry = str(raw).strip().lower()
        bad = not entry or any(c in entry for c in "/ \t@?#*,")
        try:
            name, _ = _split_host(entry)
        except ValueError:
            bad = True
        if bad or not name:
            raise ValueError(
                f"host_allow entry {raw!r} is not a host name; give a bare name "
                "or name:port such as 'dash.example.org' or '192.168.1.5:8765' "
                "(no scheme, path or wildcard)"
            )
        out.append(entry)
    return tuple(out)


def _shown(name: str, port: int | None) -> str:
    host = f"[{name}]" if ":" in name else name
    return host if port is None else f"{host}:{port}"


class TrustedHosts:
    """Refuse requests whose ``Host`` is not a loopback name or allowed.

    Parameters
    ----------
    app : ASGI application
        The wrapped application.
    host_allow : iterable of str, optional
        Extra names (see :func:`normalise_host_allow`).

    Notes
    -----
    Accepted: a loopback name (127.0.0.1, localhost, [::1]) or a
    ``host_allow`` name, either with the server's own port or without a port
    (a reverse proxy on the default port); a ``host_allow`` entry with a port
    matches that exact port. The address the connection actually arrived on
    (the ASGI ``server`` address, an IP literal under uvicorn) is accepted
    too: an IP literal cannot be re-pointed by DNS, which is what a
    DNS-rebinding attack needs. Everything else is 400.
    """

    def __init__(
        self, app: ASGIApp, *, host_allow: Iterable[str] | None = None
    ) -> None:
        self.app = app
        self.host_allow = normalise_host_allow(host_allow)
        self._names = set(LOOPBACK_NAMES)
        self._exact: set[tuple[str, int | None]] = set()
        for entry in self.host_allow:
            name, port = _split_host(entry)
            if port is None:
                self._names.add(name)
            else:
                self._exact.add((name, port))

    def allowed_hosts(self, server: tuple[str, int] | None) -> list[str]:
        """Return the Host values accepted on a server bound to ``server``."""
        port = server[1] if server else None
        shown = [_shown(n, port) for n in LOOPBACK_NAMES]
        shown += [
            _shown(*_split_host(e)) if ":" in e else _shown(e, port)
            for e in self.host_allow
        ]
        return shown

    def is_allowed(self, host: str, server: tuple[str, int] | None) -> bool:
        """Return whether the ``Host`` header value ``host`` may reach the app."""
        try:
            name, port = _split_host(host)
        except ValueError:
            return False
        server_name, server_port = server if server else ("", None)
        if (name, port) in self._exact:
            return True
        names = self._names | ({server_name.lower()} if server_name else set())
        return name in names and port in (None, server_port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        server = scope.get("server")
        if self.is_allowed(host, server):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Closing before accepting is answered 403 by the server.
            await send({"type": "websocket.close", "code": 1008})
            return
        allowed = self.allowed_hosts(server)
        shown = json.dumps(host[:100]) if host else "none"
        message = (
            f"Host header {shown} is not allowed; allowed: {', '.join(allowed)}. "
            "Open the dashboard at one of those, or start it with "
            "--host-allow NAME (serve(host_allow=[...])) to add a name."
        )
        response = error_response(
            scope["path"][:200], 400, message, parameter="Host", allowed=allowed
        )
        await response(scope, receive, send)
