"""An in-memory HTTP response cache in front of the app (pure ASGI)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ResponseCache"]


class ResponseCache:
    """Replay successful GET responses by URL without running the app.

    Parameters
    ----------
    app : ASGI application
        The wrapped application.
    maxsize : int, default 1024
        Responses kept (least recently used dropped first).
    max_body : int, default 8_000_000
        Larger bodies are not kept.
    skip : tuple of str
        Paths never cached (e.g. ``/api/health``, whose body changes).
    version : callable, optional
        Returns a hashable that is part of every key (e.g. the thesis folder's
        state), so a changed input never replays an old answer.

    Notes
    -----
    Every answer of the dashboard is a function of its URL (thesis, as-of and
    parameters are all query or path parameters) and of the store, so replaying
    it is exact until the store changes; :meth:`clear` is called after writes.
    Only complete 200 responses to GET requests are kept.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        maxsize: int = 1024,
        max_body: int = 8_000_000,
        skip: tuple[str, ...] = (),
        version: Callable[[], Hashable] | None = None,
    ) -> None:
        self.app = app
        self.maxsize = maxsize
        self.max_body = max_body
        self.skip = skip
        self.version = version
        self._entries: OrderedDict[Hashable, tuple[list[Any], bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def clear(self) -> None:
        """Forget every stored response."""
        with self._lock:
            self._entries.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] in self.skip
        ):
            await self.app(scope, receive, send)
            return
        key = (
            scope["path"],
            scope.get("query_string", b""),
            self.version() if self.version else None,
        )
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
        if entry is not None:
            headers, body = entry
            await send(
                {"type": "http.response.start", "status": 200, "headers": headers}
            )
            await send({"type": "http.response.body", "body": body})
            return

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and start.get("status") == 200:
                    body = b"".join(chunks)
                    if len(body) <= self.max_body:
                        with self._lock:
                            self._entries[key] = (list(start.get("headers", [])), body)
                            while len(self._entries) > self.maxsize:
                                self._entries.popitem(last=False)
            await send(message)

        await self.app(scope, receive, capture)
