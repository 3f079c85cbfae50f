"""The one exception hierarchy of cnncalc.

The core raises; only the CLI turns an error into a message and an exit code. Every error can carry
a :class:`Location` (file, line, column, layer path and name) and a hint that says how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cnncalc.records import record, replace


@record
class Location:
    """Where in the user's input something is: any field may be unknown."""

    source: str | None = None  # a file path, "<one-line spec>", or a bundled name
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = None  # e.g. "layers[3].branches[1][0]"
    layer_name: str | None = None
    text: str | None = None  # the source line, to print a caret under `column`

    def describe(self) -> str:
        """One line such as ``net.yaml:7:5  (layers[3] 'pool1')``."""
        where = self.source or ""
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        elif self.column is not None:
            where += f" column {self.column}"
        extra = []
        if self.path:
            extra.append(self.path)
        if self.layer_name:
            extra.append(f"'{self.layer_name}'")
        if extra:
            where = f"{where}  ({' '.join(extra)})" if where else " ".join(extra)
        return where.strip()

    def but(self, **changes: Any) -> Location:
        """A copy with ``changes`` applied: :func:`~cnncalc.records.replace`, faster (the
        parser makes one per layer and token)."""
        fields = dict(self.__dict__)
        fields.update(changes)
        return Location(**fields)

    def merged(self, other: Location | None) -> Location:
        """Fill the fields this location lacks from ``other``."""
        if other is None:
            return self
        return replace(
            self,
            source=self.source or other.source,
            line=self.line if self.line is not None else other.line,
            column=self.column if self.column is not None else other.column,
            path=self.path or other.path,
            layer_name=self.layer_name or other.layer_name,
            text=self.text or other.text,
        )


class CnncalcError(Exception):
    """Base class of every error cnncalc raises on purpose. ``exit_code`` is what the CLI returns."""

    exit_code = 2
    kind = "error"

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def with_location(self, location: Location | None) -> CnncalcError:
        """Return self with missing location fields filled in from ``location``."""
        if location is not None:
            self.location = (self.location or Location()).merged(location)
        return self

    def render(self) -> str:
        """The message as shown to users: the error, where, a caret line, and a hint."""
        lines = [f"error: {self.message}"]
        loc = self.location
        if loc is not None:
            where = loc.describe()
            if where:
                lines.append(f"  --> {where}")
            if loc.text is not None:
                lines.append(f"   | {loc.text}")
                if loc.column is not None:
                    lines.append("   | " + " " * (loc.column - 1) + "^")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for ``--json`` error output."""
        loc = self.location or Location()
        return {
            "error": self.kind,
            "message": self.message,
            "hint": self.hint,
            "location": {
                "source": loc.source,
                "line": loc.line,
                "column": loc.column,
                "path": loc.path,
                "layer_name": loc.layer_name,
            },
        }

    def __str__(self) -> str:
        return self.render()


class SpecError(CnncalcError):
    """The spec is malformed: syntax, unknown names, missing or invalid fields, limits."""

    kind = "spec_error"


class ShapeError(CnncalcError):
    """The spec is well formed but a layer cannot be applied to its input."""

    kind = "shape_error"


class UsageError(CnncalcError):
    """A command-line option or argument is wrong."""

    kind = "usage_error"


class TorchMismatch(CnncalcError):
    """PyTorch refused a network that cnncalc accepted: a mismatch, reported as ``verify`` reports
    any other (exit 1), never as an internal error."""

    exit_code = 1
    kind = "torch_mismatch"


class MissingDependencyError(CnncalcError):
    """An optional dependency (e.g. torch) is needed and not installed."""

    kind = "missing_dependency"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists, else an empty string."""
    import difflib  # only when a name is wrong: keeps start-up light

    matches = difflib.get_close_matches(word.lower(), [c.lower() for c in candidates], n=1)
    if not matches:
        return ""
    by_lower = {c.lower(): c for c in candidates}
    return f" (did you mean '{by_lower[matches[0]]}'?)"
