"""The bundled 2022 sample of Zhaoqing High-tech Zone, shipped as package data.

The files live in ``zq_land/data/sample/`` (``parcels/`` and ``scenarios/``, the layout the scenario
files' relative paths expect) and are found through :mod:`importlib.resources`, so an installed
package has them too. In a checkout, ``parcels/`` and ``scenarios/`` at the repository root hold
symbolic links to them. ``tools/make_sample.py`` (``make sample``) writes them; edit it, not the files.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Final, Literal

#: The sample scenarios, in the order the app offers them.
SCENARIO_NAMES: Final[tuple[str, ...]] = (
    "review_2022_recorded", "review_2022_optimised", "nev_cluster", "land_saving",
)

#: Illustrative dates of the 2022 review meetings (13, about monthly; the report gives no dates): the
#: timeline scenario's ``[meetings]`` and the app's default dates for the sample.
MEETING_DATES_2022: Final[tuple[str, ...]] = (
    "2022-01-20", "2022-02-24", "2022-03-24", "2022-04-21", "2022-05-31", "2022-06-23", "2022-07-21",
    "2022-08-18", "2022-09-15", "2022-10-20", "2022-11-17", "2022-12-08", "2022-12-29",
)


def sample_dir() -> Path:
    """The folder holding the sample's ``parcels/`` and ``scenarios/``.

    The package is installed as files (pip never installs it zipped), so the resource is a real path;
    the scenarios need one, as their input paths are relative to the scenario file.
    """
    root = importlib.resources.files(__package__).joinpath("data", "sample")
    return root if isinstance(root, Path) else Path(str(root))


def sample_sites() -> Path:
    """The sample sites (GeoJSON, EPSG:4326)."""
    return sample_dir() / "parcels" / "zhaoqing_hitech.geojson"


def sample_projects(fmt: Literal["csv", "xlsx"] = "csv") -> Path:
    """The 109 projects of the 2022 review: CSV with English headers, or Excel with Chinese ones."""
    return sample_dir() / "scenarios" / f"projects_2022.{fmt}"


def sample_timeline() -> Path:
    """The 2022 review meeting by meeting (``[meetings]`` with :data:`MEETING_DATES_2022`), for ``timeline``."""
    return sample_dir() / "scenarios" / "review_2022_timeline.toml"


def sample_scenarios() -> dict[str, Path]:
    """Scenario name -> its TOML file (see :data:`SCENARIO_NAMES`)."""
    return {name: sample_dir() / "scenarios" / f"{name}.toml" for name in SCENARIO_NAMES}
