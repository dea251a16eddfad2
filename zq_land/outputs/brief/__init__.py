"""The review-meeting brief (汇报材料) of a run, as an editable Word file or a PDF (issue 17).

A review meeting reads the brief, files it and signs it. The brief is made from a run's output files
(a ``solve --out`` folder or an audit zip) or from a result in memory (the app): all three pass through
one loader (:mod:`zq_land.outputs.brief.record`), so the command line and the app write the same document.

>>> from zq_land import read_run, brief_bytes
>>> data = brief_bytes(read_run("out/optimised"), fmt="docx")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the names below load lazily: matplotlib and python-docx only when a brief is made
    from ...engine.results import AllocationResult
    from .document import Brief, build_brief
    from .pdf import PdfUnavailableError, docx_to_pdf, soffice_path
    from .record import RunRecord, read_run, run_from_files, run_from_result
    from .word import brief_docx_bytes

Format = Literal["docx", "pdf"]
FORMATS: tuple[str, ...] = ("docx", "pdf")
_LAZY = {
    "Brief": "document", "build_brief": "document", "PdfUnavailableError": "pdf", "docx_to_pdf": "pdf",
    "soffice_path": "pdf", "RunRecord": "record", "read_run": "record", "run_from_files": "record",
    "run_from_result": "record", "brief_docx_bytes": "word",
}


def brief_bytes(record: RunRecord, *, fmt: Format = "docx", lang: str = "zh", today: dt.date | None = None) -> bytes:
    """The brief of a run as ``.docx`` or ``.pdf`` bytes, in Chinese (default) or English.

    Raises
    ------
    PdfUnavailableError
        For ``fmt="pdf"`` when LibreOffice is missing or fails.
    """
    from .document import build_brief
    from .pdf import docx_to_pdf
    from .word import brief_docx_bytes

    docx = brief_docx_bytes(build_brief(record, lang="en" if lang == "en" else "zh", today=today))
    return docx if fmt == "docx" else docx_to_pdf(docx)


def result_brief_bytes(result: AllocationResult, *, fmt: Format = "docx", lang: str = "zh") -> bytes:
    """The brief of a result held in memory (the app): the brief of its audit bundle."""
    from .record import run_from_result

    return brief_bytes(run_from_result(result), fmt=fmt, lang=lang)


def brief_format(path: str | Path) -> Format | None:
    """``"docx"`` or ``"pdf"`` from a file name's extension (any case), None for any other."""
    ext = Path(path).suffix.lower().lstrip(".")
    return ext if ext in FORMATS else None  # type: ignore[return-value]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMATS", "Brief", "PdfUnavailableError", "RunRecord", "brief_bytes", "brief_docx_bytes", "brief_format",
    "build_brief", "docx_to_pdf", "read_run", "result_brief_bytes", "run_from_files", "run_from_result",
    "soffice_path",
]
