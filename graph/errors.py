"""The project's error hierarchy.

Every driver or server exception is translated into one of these at the store
boundary (``raise ... from exc``), so callers never see driver types. The API
maps the hierarchy onto HTTP status codes in one exception handler and the CLI
onto exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence


class PartnergraphError(Exception):
    """Base class of every error partnergraph raises on purpose."""

    code = "error"


class InvalidInput(PartnergraphError):
    """A value given by a user (argument, parameter, option) is not acceptable."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(PartnergraphError):
    """No entity of ``kind`` matches ``ref``; ``suggestions`` holds near matches."""

    code = "not_found"

    def __init__(self, kind: str, ref: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.ref = ref
        self.suggestions = list(suggestions)
        names = ", ".join(repr(s) for s in self.suggestions)
        hint = f"; did you mean {names}?" if suggestions else ""
        super().__init__(f"no {kind} matches {ref!r}{hint}")


class LoadError(PartnergraphError):
    """A row or a whole file could not be loaded.

    ``str()`` reads ``file:line: reason`` so that editors and terminals can jump
    to the place.
    """

    code = "load_error"

    def __init__(
        self,
        file: str,
        reason: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
        where = file if line is None else f"{file}:{line}"
        col = f" (column {column!r})" if column else ""
        super().__init__(f"{where}:{col} {reason}")


class StoreError(PartnergraphError):
    """The store answered with an error (bad query, constraint violation...)."""

    code = "store_error"


class QueryError(StoreError):
    """A Cypher text was rejected by the engine (syntax, semantics, read-only)."""

    code = "query_error"


class StoreUnavailable(StoreError):
    """The store cannot be reached or started."""

    code = "store_unavailable"


class StoreChanged(StoreError):
    """Another writer changed the store while an operation that needed it unchanged ran."""
