"""zq_land: land and factory-space allocation for the planners of an industrial development zone."""

from __future__ import annotations

import os as _os

__version__ = "0.1.0"

# openpyxl writes its XML with lxml whenever lxml is installed (python-docx, which writes the brief,
# requires it): the workbook's bytes would then depend on what else is installed, and the export's
# fast path, which matches openpyxl's own writer byte for byte, would fall back to the slow one.
# Keep openpyxl's own writer unless the user chose otherwise; this must run before openpyxl is imported.
_os.environ.setdefault("OPENPYXL_LXML", "False")
