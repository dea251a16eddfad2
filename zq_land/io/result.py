"""What a reader found in one file: the table (None when refused), every problem, and the headers a
planner may map to a canonical column (so the app offers them without reading error messages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import geopandas as gpd
import pandas as pd

from .._errors import InputError, ValidationReport

T = TypeVar("T", gpd.GeoDataFrame, pd.DataFrame)


@dataclass(frozen=True)
class ReadResult(Generic[T]):
    """One file as read by :func:`~zq_land.io.check_sites` or :func:`~zq_land.io.check_projects`.

    Attributes
    ----------
    table
        The canonical table, or None when the file was refused.
    report
        Every problem found, warnings included.
    headers
        The file's headers that no canonical column took: the choices of a column-mapping step. When a
        required column is missing (or no header row was found) every header of the file is listed, as
        any of them may be the missing one; a file refused for its values lists none.
    """

    table: T | None
    report: ValidationReport
    headers: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the table was read (warnings allowed)."""
        return self.table is not None and self.report.ok

    def table_or_raise(self, path: str | Path, zh: str, en: str) -> T:
        """The table, or :class:`InputError` with the file's report (``zh``/``en`` if it holds no error)."""
        if self.table is None:
            rep = self.report
            if rep.ok:  # defensive: a refusal always carries an error
                rep = ValidationReport(list(rep.problems))
                rep.error(path, zh, en)
            raise InputError(rep)
        return self.table


def mapping_choices(found: Iterable[object], recognised: Iterable[str], *, complete: bool) -> tuple[str, ...]:
    """The headers of ``found`` a planner may map: all of them when a required column is missing
    (``complete`` False), else those not ``recognised``."""
    names = [str(h) for h in found]
    if not complete:
        return tuple(names)
    taken = set(recognised)
    return tuple(h for h in names if h not in taken)


def read_result(table: T | None, report: ValidationReport, headers: tuple[str, ...], *,
                complete: bool) -> ReadResult[T]:
    """The :class:`ReadResult` of a pipeline: no table when any problem is an error, and no headers to
    map for a file refused for its values."""
    read = table if report.ok else None
    return ReadResult(read, report, headers if read is not None or not complete else ())
