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

#: The public names, by the module that defines them (relative to this package).
_MODULES: dict[str, tuple[str, ...]] = {
    # errors and reports
    "._errors": ("InputError", "Problem", "SolverError", "ValidationReport", "ZqLandError", "input_error"),
    # words: bilingual text, labels and units
    ".text": ("KPI_LABELS", "LABELS", "STATUS_WORDS", "UNITS", "Label", "Text", "code_label", "column_label",
        "header", "headers", "kpi_header"),
    # the app's strings
    ".i18n": ("LANGS", "LANG_NAMES", "Lang", "scenario_description", "scenario_label", "t"),
    # codes
    ".vocab": ("INDUSTRY_ZH", "KIND_ZH", "MODE_ZH", "PROJECT_COLUMNS", "PROJECT_EFFICIENCY_COLUMNS", "SITE_COLUMNS",
        "SITE_EFFICIENCY_COLUMNS", "STATUS_ZH"),
    # scenarios
    ".scenario": ("Policy", "Scenario", "SolverSettings", "Stability", "Uncertainty", "Weights", "load_scenario",
        "scenario_from_dict"),
    # the bundled sample
    ".sample": ("MEETING_DATES_2022", "SCENARIO_NAMES", "sample_projects", "sample_scenarios", "sample_sites",
        "sample_timeline"),
    # reading
    ".io": ("SITE_TABLE_COLUMNS", "ReadResult", "check_files", "check_projects", "check_sites", "file_fingerprint",
        "read_projects", "read_sites", "summarize_projects", "summarize_sites", "validate_files"),
    # allocating
    ".engine.eligibility": ("Candidates", "Reason", "eligible_pairs", "why_not"),
    ".engine.model": ("Plan", "SolveReport"),
    ".engine.pipeline": ("solve_allocation",),
    ".engine.progress": ("Progress",),
    ".engine.solvers": ("alongside_solver",),
    ".engine.results": ("AllocationResult", "Comparison", "allocate", "check_scenario_ids", "compare_results",
        "compute_kpis"),
    # outputs
    ".outputs.tables": ("candidates_frame", "efficiency_frame", "labelled", "spreadsheet_safe", "unescape_cell"),
    ".outputs.workbook": ("comparison_workbook_bytes", "workbook_bytes"),
    ".outputs.audit": ("ReplayOutcome", "audit_scenario_bytes", "audit_zip_bytes", "read_bundle", "replay_bundle"),
    ".engine.stability": ("read_reference",),
    ".outputs.files": ("assignments_csv_bytes", "atomic_write", "audit_bundle_bytes", "check_output_folder",
        "moves_csv_bytes", "output_files", "output_folder_lock", "prepare_outputs", "sites_geojson_bytes",
        "strict_json_bytes", "summary_json_bytes", "write_outputs"),
    ".outputs.maps": ("BASEMAPS", "Basemap", "chance_map", "compare_map", "result_map", "sites_map",
        "standalone_html"),
    ".outputs._offline": ("install_static_assets",),
    ".outputs.helper": ("OutputHelper",),
    # the review-meeting brief (Word, PDF)
    ".outputs.brief": ("PdfUnavailableError", "RunRecord", "brief_bytes", "brief_format", "build_brief", "read_run",
        "result_brief_bytes", "run_from_result", "soffice_path"),
    # the workspace store
    ".store": ("DataSetInfo", "Decision", "DecisionConflict", "RunInfo", "Store", "StoreError", "add_decision",
        "adopt_run", "decision_locks", "default_store_url", "env_store_url", "list_decisions", "open_store",
        "record_sweep", "supersede_decision", "SweepInfo"),
    # studies: uncertainty sweeps and the Pareto front on Dask
    ".studies.sampling": ("landing_probabilities",),
    ".studies.engine": ("DASK_ENV", "scheduler_address"),
    ".studies.sweep": ("SweepFailed", "SweepResult", "run_sweep", "write_sweep"),
    ".studies.pareto": ("ParetoResult", "run_pareto", "write_pareto"),
    ".studies.timeline": ("TimelineResult", "run_timeline", "write_timeline"),
    ".studies.alternatives": ("AlternativesResult", "alternatives_files", "alternatives_summary", "run_alternatives",
        "write_alternatives"),
}
_EXPORTS: dict[str, str] = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "BASEMAPS", "DASK_ENV", "INDUSTRY_ZH", "KIND_ZH", "KPI_LABELS", "LABELS", "LANGS", "LANG_NAMES",
    "MEETING_DATES_2022", "MODE_ZH", "PROJECT_COLUMNS", "PROJECT_EFFICIENCY_COLUMNS", "SCENARIO_NAMES", "SITE_COLUMNS",
    "SITE_EFFICIENCY_COLUMNS", "SITE_TABLE_COLUMNS", "STATUS_WORDS", "STATUS_ZH", "UNITS", "AllocationResult",
    "AlternativesResult", "Basemap", "Candidates", "Comparison", "DataSetInfo", "Decision", "DecisionConflict",
    "InputError", "Label", "Lang", "OutputHelper", "ParetoResult", "PdfUnavailableError", "Plan", "Policy", "Problem",
    "Progress", "ReadResult",
    "Reason", "ReplayOutcome", "RunInfo", "RunRecord", "Scenario", "SolveReport", "SolverError", "SolverSettings",
    "Stability", "Store", "StoreError", "SweepFailed", "SweepInfo", "SweepResult", "Text", "TimelineResult",
    "Uncertainty", "ValidationReport", "Weights", "ZqLandError", "__version__", "add_decision", "adopt_run", "allocate",
    "alongside_solver", "alternatives_files", "alternatives_summary", "assignments_csv_bytes", "atomic_write",
    "audit_bundle_bytes", "audit_scenario_bytes", "audit_zip_bytes", "brief_bytes", "brief_format", "build_brief",
    "candidates_frame", "chance_map", "check_files", "check_output_folder", "check_projects", "check_scenario_ids",
    "check_sites", "code_label", "column_label", "compare_map", "compare_results", "comparison_workbook_bytes",
    "compute_kpis", "decision_locks", "default_store_url", "efficiency_frame", "eligible_pairs", "env_store_url",
    "file_fingerprint", "header", "headers", "input_error", "install_static_assets", "kpi_header", "labelled",
    "landing_probabilities", "list_decisions", "load_scenario", "moves_csv_bytes", "open_store", "output_files",
    "output_folder_lock", "prepare_outputs", "read_bundle", "read_projects", "read_reference", "read_run", "read_sites",
    "record_sweep", "replay_bundle", "result_brief_bytes", "result_map", "run_alternatives", "run_from_result",
    "run_pareto", "run_sweep", "run_timeline", "sample_projects", "sample_scenarios", "sample_sites", "sample_timeline",
    "scenario_description", "scenario_from_dict", "scenario_label", "scheduler_address", "sites_geojson_bytes",
    "sites_map", "soffice_path", "solve_allocation", "spreadsheet_safe", "standalone_html", "strict_json_bytes",
    "summarize_projects", "summarize_sites", "summary_json_bytes", "supersede_decision", "t", "unescape_cell",
    "validate_files", "why_not", "workbook_bytes", "write_alternatives", "write_outputs", "write_pareto", "write_sweep",
    "write_timeline",
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
    from .engine.eligibility import Candidates, Reason, eligible_pairs, why_not
    from .engine.model import Plan, SolveReport
    from .engine.pipeline import solve_allocation
    from .engine.progress import Progress
    from .engine.results import (
        AllocationResult,
        Comparison,
        allocate,
        check_scenario_ids,
        compare_results,
        compute_kpis,
    )
    from .engine.solvers import alongside_solver
    from .engine.stability import read_reference
    from .i18n import LANG_NAMES, LANGS, Lang, scenario_description, scenario_label, t
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
    from .outputs.audit import (
        ReplayOutcome,
        audit_scenario_bytes,
        audit_zip_bytes,
        read_bundle,
        replay_bundle,
    )
    from .outputs.brief import (
        PdfUnavailableError,
        RunRecord,
        brief_bytes,
        brief_format,
        build_brief,
        read_run,
        result_brief_bytes,
        run_from_result,
        soffice_path,
    )
    from .outputs.files import (
        assignments_csv_bytes,
        atomic_write,
        audit_bundle_bytes,
        check_output_folder,
        moves_csv_bytes,
        output_files,
        output_folder_lock,
        prepare_outputs,
        sites_geojson_bytes,
        strict_json_bytes,
        summary_json_bytes,
        write_outputs,
    )
    from .outputs.helper import OutputHelper
    from .outputs.maps import BASEMAPS, Basemap, chance_map, compare_map, result_map, sites_map, standalone_html
    from .outputs.tables import candidates_frame, efficiency_frame, labelled, spreadsheet_safe, unescape_cell
    from .outputs.workbook import comparison_workbook_bytes, workbook_bytes
    from .sample import (
        MEETING_DATES_2022,
        SCENARIO_NAMES,
        sample_projects,
        sample_scenarios,
        sample_sites,
        sample_timeline,
    )
    from .scenario import (
        Policy,
        Scenario,
        SolverSettings,
        Stability,
        Uncertainty,
        Weights,
        load_scenario,
        scenario_from_dict,
    )
    from .store import (
        DataSetInfo,
        Decision,
        DecisionConflict,
        RunInfo,
        Store,
        StoreError,
        SweepInfo,
        add_decision,
        adopt_run,
        decision_locks,
        default_store_url,
        env_store_url,
        list_decisions,
        open_store,
        record_sweep,
        supersede_decision,
    )
    from .studies.alternatives import (
        AlternativesResult,
        alternatives_files,
        alternatives_summary,
        run_alternatives,
        write_alternatives,
    )
    from .studies.engine import DASK_ENV, scheduler_address
    from .studies.pareto import ParetoResult, run_pareto, write_pareto
    from .studies.sampling import landing_probabilities
    from .studies.sweep import SweepFailed, SweepResult, run_sweep, write_sweep
    from .studies.timeline import TimelineResult, run_timeline, write_timeline
    from .text import (
        KPI_LABELS,
        LABELS,
        STATUS_WORDS,
        UNITS,
        Label,
        Text,
        code_label,
        column_label,
        header,
        headers,
        kpi_header,
    )
    from .vocab import (
        INDUSTRY_ZH,
        KIND_ZH,
        MODE_ZH,
        PROJECT_COLUMNS,
        PROJECT_EFFICIENCY_COLUMNS,
        SITE_COLUMNS,
        SITE_EFFICIENCY_COLUMNS,
        STATUS_ZH,
    )
