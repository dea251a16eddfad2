"""Reading the planners' files: sites (GIS layers) and projects (CSV / Excel), with validation.

Both readers gather every problem of a file into one :class:`~zq_land.ValidationReport` and raise a
single :class:`~zq_land.InputError` carrying it, so a planner fixes a file in one pass.
"""

from __future__ import annotations

from .sites import (
    PROJECT_EXTENSIONS,
    SITE_EXTENSIONS,
    SITE_TABLE_COLUMNS,
    check_files,
    file_fingerprint,
    read_projects,
    read_sites,
    summarize_projects,
    summarize_sites,
    validate_files,
)

__all__ = [
    "PROJECT_EXTENSIONS", "SITE_EXTENSIONS", "SITE_TABLE_COLUMNS", "check_files", "file_fingerprint",
    "read_projects", "read_sites", "summarize_projects", "summarize_sites", "validate_files",
]
