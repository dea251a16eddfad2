"""zq_land: land and factory-space allocation for the planners of an industrial development zone.

The public API, in the order of a run::

    import zq_land as zq

    sites = zq.read_sites("parcels.gpkg")            # GeoDataFrame (EPSG:4326), or InputError
    projects = zq.read_projects("projects.xlsx")     # DataFrame, or InputError
    scenario = zq.load_scenario("plan.toml")         # frozen Scenario
    result = zq.allocate(scenario, sites=sites, projects=projects)   # frozen AllocationResult
    zq.write_outputs(result, "out/")                 # CSV, Excel, GeoJSON, map, summary, audit copy
    html = zq.standalone_html(zq.result_map(result)) # the map as one offline HTML file

Every name below is imported on first use (module ``__getattr__``), so ``import zq_land`` and the
command line's start-up do not pay for pandas, folium, openpyxl or PuLP until a command needs them.
The app (``app.py``, ``ui/``) and the command line (``zq_land.cli``) use only these names; the
subpackages are the implementation (``docs/ARCHITECTURE.md``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it (relative to this package).
_EXPORTS: dict[str, str] = {
    # errors and reports
    "InputError": "._errors", "Problem": "._errors", "SolverError": "._errors", "ValidationReport": "._errors",
    "ZqLandError": "._errors", "input_error": "._errors",
    # scenarios
    "Policy": ".scenario", "Scenario": ".scenario", "SolverSettings": ".scenario", "Weights": ".scenario",
    "load_scenario": ".scenario", "scenario_from_dict": ".scenario",
    # reading
    "SITE_TABLE_COLUMNS": ".io", "ReadResult": ".io", "check_projects": ".io", "check_sites": ".io",
    "check_files": ".io", "file_fingerprint": ".io", "read_projects": ".io",
    "read_sites": ".io", "summarize_projects": ".io", "summarize_sites": ".io", "validate_files": ".io",
    # allocating
    "AllocationResult": ".engine.results", "Comparison": ".engine.results", "allocate": ".engine.results",
    "check_scenario_ids": ".engine.results", "compare_results": ".engine.results",
    "compute_kpis": ".engine.results", "Candidates": ".engine.eligibility", "eligible_pairs": ".engine.eligibility",
    "why_not": ".engine.eligibility", "Plan": ".engine.model", "SolveReport": ".engine.model",
    "solve_allocation": ".engine.pipeline",
    # outputs
    "assignments_csv_bytes": ".outputs.files", "audit_bundle_bytes": ".outputs.files",
    "sites_geojson_bytes": ".outputs.files", "summary_json_bytes": ".outputs.files",
    "write_outputs": ".outputs.files", "atomic_write": ".outputs.files", "audit_scenario_bytes": ".outputs.audit",
    "comparison_workbook_bytes": ".outputs.workbook", "workbook_bytes": ".outputs.workbook",
    "HEADERS": ".outputs.tables",
    "BASEMAPS": ".outputs.maps", "Basemap": ".outputs.maps", "compare_map": ".outputs.maps",
    "sites_map": ".outputs.maps", "result_map": ".outputs.maps", "standalone_html": ".outputs.maps",
    "install_static_assets": ".outputs._offline",
    # words, codes and the sample
    "LANGS": ".i18n", "LANG_NAMES": ".i18n", "Lang": ".i18n", "t": ".i18n",
    "COLUMN_ZH": ".vocab", "INDUSTRY_ZH": ".vocab", "KIND_ZH": ".vocab", "MODE_ZH": ".vocab",
    "PROJECT_COLUMNS": ".vocab", "SITE_COLUMNS": ".vocab", "STATUS_ZH": ".vocab",
    "SCENARIO_NAMES": ".sample", "sample_projects": ".sample", "sample_scenarios": ".sample",
    "sample_sites": ".sample",
}

__all__ = [
    "BASEMAPS", "COLUMN_ZH", "HEADERS", "INDUSTRY_ZH", "KIND_ZH", "LANGS", "LANG_NAMES", "MODE_ZH",
    "PROJECT_COLUMNS", "SCENARIO_NAMES", "SITE_COLUMNS", "SITE_TABLE_COLUMNS", "STATUS_ZH", "AllocationResult",
    "Basemap", "Candidates", "Comparison", "InputError", "Lang", "Plan", "Policy", "Problem", "ReadResult",
    "Scenario", "SolveReport", "SolverError", "SolverSettings", "ValidationReport", "Weights", "ZqLandError",
    "__version__", "allocate", "assignments_csv_bytes", "atomic_write", "audit_bundle_bytes",
    "audit_scenario_bytes", "check_files", "check_projects", "check_scenario_ids", "check_sites", "compare_map",
    "compare_results", "comparison_workbook_bytes", "compute_kpis", "eligible_pairs", "file_fingerprint",
    "input_error", "install_static_assets", "load_scenario", "read_projects", "read_sites", "result_map",
    "sample_projects", "sample_scenarios", "sample_sites", "scenario_from_dict", "sites_geojson_bytes",
    "sites_map", "solve_allocation", "standalone_html", "summarize_projects", "summarize_sites",
    "summary_json_bytes", "t", "validate_files", "why_not", "workbook_bytes", "write_outputs",
]


def __getattr__(name: str) -> Any:
    # Not cached in the module: a name resolves to the defining module's attribute at each use, so a
    # test that patches ``zq_land.io.check_files`` patches what ``zq_land.check_files`` gives too.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:  # what mypy and editors see; at run time the names come from __getattr__
    from ._errors import InputError, Problem, SolverError, ValidationReport, ZqLandError, input_error
    from .engine.eligibility import Candidates, eligible_pairs, why_not
    from .engine.model import Plan, SolveReport
    from .engine.pipeline import solve_allocation
    from .engine.results import (
        AllocationResult,
        Comparison,
        allocate,
        check_scenario_ids,
        compare_results,
        compute_kpis,
    )
    from .i18n import LANG_NAMES, LANGS, Lang, t
    from .io import (
        SITE_TABLE_COLUMNS,
        ReadResult,
        check_files,
        check_projects,
        check_sites,
        file_fingerprint,
        read_projects,
        read_sites,
        summarize_projects,
        summarize_sites,
        validate_files,
    )
    from .outputs._offline import install_static_assets
    from .outputs.audit import audit_scenario_bytes
    from .outputs.files import (
        assignments_csv_bytes,
        atomic_write,
        audit_bundle_bytes,
        sites_geojson_bytes,
        summary_json_bytes,
        write_outputs,
    )
    from .outputs.maps import BASEMAPS, Basemap, compare_map, result_map, sites_map, standalone_html
    from .outputs.tables import HEADERS
    from .outputs.workbook import comparison_workbook_bytes, workbook_bytes
    from .sample import SCENARIO_NAMES, sample_projects, sample_scenarios, sample_sites
    from .scenario import Policy, Scenario, SolverSettings, Weights, load_scenario, scenario_from_dict
    from .vocab import COLUMN_ZH, INDUSTRY_ZH, KIND_ZH, MODE_ZH, PROJECT_COLUMNS, SITE_COLUMNS, STATUS_ZH
