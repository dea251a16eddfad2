"""Reading the planners' files: sites (GIS layers) and projects (CSV / Excel), with validation.

Both readers gather every problem of a file into one :class:`~zq_land.ValidationReport` and raise a
single :class:`~zq_land.InputError` carrying it, so a planner fixes a file in one pass.

The pipelines are :mod:`.sites` and :mod:`.projects`; each step has its module: :mod:`.containers`
(size caps, zip safety, GIS containers, CSV/Excel rows), :mod:`.shapefile` (``.dbf`` encodings and cut
field names), :mod:`.encodings`, :mod:`.crs`, :mod:`.geometry` (repair, areas), :mod:`.headers`,
:mod:`.values` (cells and column checks), :mod:`.checks` (both files together), :mod:`.result`.
"""

from __future__ import annotations

from .checks import check_files, validate_files
from .containers import PROJECT_EXTENSIONS, SITE_EXTENSIONS, file_fingerprint
from .projects import check_projects, read_projects, summarize_projects
from .result import ReadResult
from .sites import SITE_TABLE_COLUMNS, check_sites, read_sites, summarize_sites

__all__ = [
    "PROJECT_EXTENSIONS", "SITE_EXTENSIONS", "SITE_TABLE_COLUMNS", "ReadResult", "check_files", "check_projects",
    "check_sites", "file_fingerprint", "read_projects", "read_sites", "summarize_projects", "summarize_sites",
    "validate_files",
]
