"""Sampled pipelines: which projects arrive, and with what investment and needs.

Each project lands with its probability (:func:`landing_probabilities`); sample ``i`` of seed ``S`` is
drawn from its own random stream, ``numpy.random.SeedSequence(S, spawn_key=(i,))`` (the ``i``-th child
of ``SeedSequence(S).spawn``), so a sample is the same whatever the number of samples, the order in
which the workers take them, or a retry. Arrivals are drawn first, then the investment factors, then
the need factors, each one uniform number per project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from ..scenario import Scenario, Uncertainty

#: Where a project's landing probability came from, in the order they are tried.
SOURCES: Final = ("column", "mode", "industry", "default")


@dataclass(frozen=True)
class Draw:
    """One sample: which projects arrive (row order of the projects table) and their factors."""

    index: int
    arrived: np.ndarray  # bool, one per project
    investment_factor: np.ndarray  # float, 1.0 without a range
    need_factor: np.ndarray  # float, 1.0 without a range


def landing_probabilities(projects: pd.DataFrame, uncertainty: Uncertainty) -> pd.DataFrame:
    """Each project's landing probability and where it came from.

    The project's own ``p_land`` when filled, else its mode's ``p_land_by_mode``, else its industry's
    ``p_land_by_industry``, else the scenario's ``p_land`` (default 1).

    Returns
    -------
    pandas.DataFrame
        ``project_id``, ``p_land`` (0..1) and ``p_land_source`` (one of :data:`SOURCES`), in the
        projects' row order.
    """
    n = len(projects)
    own = (pd.to_numeric(projects["p_land"], errors="coerce").to_numpy(float) if "p_land" in projects.columns
           else np.full(n, np.nan))
    by_mode = _lookup(projects, "mode", dict(uncertainty.p_land_by_mode))
    by_industry = _lookup(projects, "industry", dict(uncertainty.p_land_by_industry))
    p = np.full(n, float(uncertainty.p_land))
    source = np.full(n, "default", dtype=object)
    for values, name in ((by_industry, "industry"), (by_mode, "mode"), (own, "column")):  # last one wins
        has = ~np.isnan(values)
        p[has] = values[has]
        source[has] = name
    return pd.DataFrame({"project_id": projects["project_id"].astype(str).to_numpy(), "p_land": p,
                         "p_land_source": source})


def draw_sample(index: int, *, seed: int, p_land: np.ndarray, uncertainty: Uncertainty) -> Draw:
    """Sample ``index`` of ``seed``: arrivals (``u < p``: never with p = 0, always with p = 1), factors."""
    if index < 0:
        raise ValueError(f"sample index must be >= 0, got {index}")
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(int(index),)))
    n = len(p_land)
    arrived = rng.random(n) < np.asarray(p_land, float)
    return Draw(index, arrived, _factors(rng, n, uncertainty.investment_range),
                _factors(rng, n, uncertainty.need_range))


def sample_inputs(projects: pd.DataFrame, scenario: Scenario, draw: Draw) -> tuple[pd.DataFrame, Scenario]:
    """The projects table and the scenario of one sample.

    Projects that do not arrive are excluded (they stay in the table, so every sample has the same rows)
    and their locks dropped; investment is scaled and rounded to 0.01 亿元 (the sample data's precision,
    which keeps the engine's proof of optimality quick), needs scaled and rounded to 0.01 mu and 0.1 m2.
    """
    out = projects
    if not np.all(draw.investment_factor == 1.0) or not np.all(draw.need_factor == 1.0):
        out = projects.copy()
        inv = pd.to_numeric(out["investment_yi"], errors="coerce").to_numpy(float)
        out["investment_yi"] = np.round(inv * draw.investment_factor, 2)
        for col, digits in (("land_need_mu", 2), ("floor_need_m2", 1)):
            if col in out.columns:
                need = pd.to_numeric(out[col], errors="coerce").to_numpy(float)
                out[col] = np.round(need * draw.need_factor, digits)
    ids = projects["project_id"].astype(str).to_numpy()
    gone = frozenset(ids[~draw.arrived].tolist())
    if not gone:
        return out, scenario
    locks = tuple((p, s) for p, s in scenario.locks if p not in gone)
    return out, scenario.with_(exclude_projects=scenario.exclude_projects | gone, locks=locks)


def _lookup(projects: pd.DataFrame, column: str, table: Mapping[str, float]) -> np.ndarray:
    if not table or column not in projects.columns:
        return np.full(len(projects), np.nan)
    return projects[column].astype(str).map(table).astype(float).to_numpy()


def _factors(rng: np.random.Generator, n: int, span: tuple[float, float] | None) -> np.ndarray:
    if span is None:
        return np.ones(n)
    lo, hi = span
    return rng.uniform(lo, hi, n)
