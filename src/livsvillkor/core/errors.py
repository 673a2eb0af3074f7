"""The error every import and loader raises for bad input.

An :class:`InputError` carries every problem found (not just the first), each naming where it is
(file and line, or row number), the field or column, the offending value and the reason. Management
commands print it and exit non-zero; nothing is written when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    field: str = ""
    value: str | None = None

    def __str__(self) -> str:
        parts = [self.where]
        if self.field:
            parts.append(self.field)
        text = ": ".join(parts) + ": " + self.message
        if self.value is not None:
            text += f" (value: {self.value!r})"
        return text


class InputError(Exception):
    """Bad input: a malformed file, an unknown code, an invalid value."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *(f"  {p}" for p in self.problems)])
