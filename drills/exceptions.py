"""Errors of the drills app; each carries a message for the person who made the request (and a code for the API)."""

from __future__ import annotations


class DrillError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class DrillForbidden(DrillError):
    """The actor may not manage that institution's drills."""

    code = "forbidden"


class CheckinRefused(DrillError):
    """A check-in that is not taken: the code says why (invalid | closed | foreign | inactive)."""
