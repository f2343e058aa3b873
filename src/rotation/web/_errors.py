"""HTTP errors of the dashboard: every failure is a clear message, never a trace."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "NotAvailableError"]


class ApiError(Exception):
    """A request the dashboard refuses, with its HTTP status and a message.

    Parameters
    ----------
    status_code : int
        4xx for bad requests (422 bad value, 404 unknown name, 401/403 writes),
        503 for a part of the engine that is not available.
    message : str
        What was wrong: the parameter, the value received and what is allowed.
    parameter : str, optional
        The offending query/path parameter.
    allowed : list of str, optional
        The values that would have been accepted (names, a date range).
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        parameter: str | None = None,
        allowed: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.parameter = parameter
        self.allowed = allowed

    def payload(self) -> dict[str, Any]:
        """Return the JSON body: ``{"error", "status", "parameter", "allowed"}``."""
        return {
            "error": self.message,
            "status": self.status_code,
            "parameter": self.parameter,
            "allowed": self.allowed,
        }


class NotAvailableError(ApiError):
    """A part of the engine that is not installed or not written yet (503)."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(
            503,
            f"{what} is not available yet ({reason}); the rest of the dashboard works.",
        )
