"""The audit copy of a run: the scenario as run, with its inputs' paths, sizes and SHA-256 and the versions of
the tool and its solvers, as TOML that loads again as a scenario.
"""

from __future__ import annotations

import platform
from pathlib import Path

from ..engine.results import AllocationResult


def audit_scenario_bytes(result: AllocationResult) -> bytes:
    """The scenario as run, with absolute input paths, their SHA-256 and the versions used, as TOML."""
    from .. import __version__

    sc = result.scenario
    lines = [
        f"# zq_land {__version__}: scenario as run, for the audit of a review meeting",
        f"# python {platform.python_version()}; " + "; ".join(f"{k} {v}" for k, v in _versions().items()),
    ]
    for key, fp in result.inputs.items():
        lines.append(f"# input {key}: {fp['path']} ({fp['bytes']} bytes) sha256 {fp['sha256']}")
    lines.append(f"# solver: {result.solve.solver}, status {result.solve.status}, "
                 f"objective {result.solve.objective}, bound {result.solve.bound}")
    data = sc.to_dict()
    if sc.sites is not None:
        data["sites"] = str(Path(sc.sites).resolve())
    if sc.projects is not None:
        data["projects"] = str(Path(sc.projects).resolve())
    from ..scenario import dumps_toml

    return ("\n".join(lines) + "\n" + dumps_toml(data)).encode("utf-8")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("pulp", "highspy", "geopandas", "pyogrio", "shapely", "pyproj", "pandas", "folium"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out
