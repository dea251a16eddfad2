"""Domain errors and the validation report shared by every reader.

Every problem names the file, the row or the site/project id, and the column, with a message in
Chinese and English, so that the CLI can print it and exit 2 and the app can show it as a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .text import Text

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about a user's file.

    ``row`` is the 1-based data row as the planner sees it in a spreadsheet (header = row 1, first
    data row = row 2) when the file is a table; ``item_id`` is the site or project id when known.
    """

    severity: Severity
    file: str
    message: Text
    row: int | None = None
    item_id: str | None = None
    column: str | None = None
    found: str | None = None
    expected: str | None = None

    @property
    def message_zh(self) -> str:
        return self.message.zh

    @property
    def message_en(self) -> str:
        return self.message.en

    def where(self) -> str:
        parts = [Path(self.file).name if self.file else "?"]
        if self.row is not None:
            parts.append(f"row {self.row} / 第{self.row}行")
        if self.item_id:
            parts.append(f"id {self.item_id}")
        if self.column:
            parts.append(f"column {self.column} / 列“{self.column}”")
        return ", ".join(parts)

    def text(self, lang: str = "both") -> str:
        tag = {"error": "错误 ERROR", "warning": "警告 WARNING"}[self.severity]
        return f"[{tag}] {self.where()}: {self.message.pick(lang)}"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "id": self.item_id,
            "column": self.column,
            "found": self.found,
            "expected": self.expected,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass
class ValidationReport:
    """All problems found in one or more files. ``ok`` is False as soon as one is an error."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, file: str | Path, zh: str, en: str, **where: object) -> None:
        self.problems.append(Problem("error", str(file), Text(zh, en), **where))  # type: ignore[arg-type]

    def warn(self, file: str | Path, zh: str, en: str, **where: object) -> None:
        self.problems.append(Problem("warning", str(file), Text(zh, en), **where))  # type: ignore[arg-type]

    def extend(self, other: ValidationReport | Iterable[Problem]) -> None:
        self.problems.extend(other.problems if isinstance(other, ValidationReport) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def text(self, lang: str = "both") -> str:
        return "\n".join(p.text(lang) for p in self.problems)

    def raise_if_errors(self) -> None:
        if not self.ok:
            raise InputError(self)


class ZqLandError(Exception):
    """Base of the tool's own errors."""


class InputError(ZqLandError, ValueError):
    """A user's file or scenario cannot be used. Carries the full report of what was found."""

    def __init__(self, report: ValidationReport | Problem | str, *, file: str | Path = "") -> None:
        if isinstance(report, str):
            rep = ValidationReport()
            rep.error(file, report, report)
            report = rep
        elif isinstance(report, Problem):
            report = ValidationReport([report])
        self.report = report
        super().__init__(report.text())


def input_error(
    file: str | Path, zh: str, en: str, **where: object
) -> InputError:
    """Build an :class:`InputError` holding a single problem."""
    rep = ValidationReport()
    rep.error(file, zh, en, **where)
    return InputError(rep)


class SolverError(ZqLandError, RuntimeError):
    """The solver failed in a way no fallback could cover."""
