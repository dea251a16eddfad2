"""Sweeps without a cluster: landing probabilities, seeded draws, the [uncertainty] table, the p_land column,
one sample solved and evaluated by hand, and the all-or-nothing output folder."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_csv

from zq_land._errors import InputError
from zq_land.io import read_projects
from zq_land.scenario import Uncertainty, scenario_from_dict
from zq_land.studies._files import publish_files
from zq_land.studies.sampling import draw_sample, landing_probabilities, sample_inputs


def _projects(**cols: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "project_id": ["A", "B", "C", "D"], "mode": ["land", "lease", "lease", "platform"],
        "industry": ["food", "food", "biomed", "biomed"], "p_land": [0.2, np.nan, np.nan, np.nan],
        "investment_yi": [1.0, 2.0, 3.0, 4.0], "land_need_mu": [10.0, np.nan, np.nan, np.nan],
        "floor_need_m2": [np.nan, 100.0, 200.0, 300.0],
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_probability_comes_from_the_column_then_mode_then_industry_then_default() -> None:
    unc = Uncertainty(p_land=0.9, p_land_by_mode=(("lease", 0.757),), p_land_by_industry=(("biomed", 0.5),))
    got = landing_probabilities(_projects(), unc)
    assert got["p_land"].tolist() == [0.2, 0.757, 0.757, 0.5]
    assert got["p_land_source"].tolist() == ["column", "mode", "mode", "industry"]
    plain = landing_probabilities(_projects(p_land=[np.nan] * 4), Uncertainty())
    assert plain["p_land"].tolist() == [1.0] * 4 and set(plain["p_land_source"]) == {"default"}


def test_a_sample_depends_on_seed_and_index_only() -> None:
    p = np.array([0.0, 1.0, 0.5, 0.3, 0.7] * 20)
    unc = Uncertainty(investment_range=(0.8, 1.2), need_range=(0.9, 1.1))
    a = draw_sample(17, seed=5, p_land=p, uncertainty=unc)
    b = draw_sample(17, seed=5, p_land=p, uncertainty=unc)
    c = draw_sample(18, seed=5, p_land=p, uncertainty=unc)
    d = draw_sample(17, seed=6, p_land=p, uncertainty=unc)
    assert np.array_equal(a.arrived, b.arrived) and np.array_equal(a.need_factor, b.need_factor)
    assert not np.array_equal(a.arrived, c.arrived) and not np.array_equal(a.arrived, d.arrived)
    # the child stream of SeedSequence(seed).spawn: sample 17 of a 20-sample sweep is sample 17 of any sweep
    child = np.random.SeedSequence(5).spawn(20)[17]
    assert np.array_equal(np.random.default_rng(child).random(len(p)) < p, a.arrived)
    assert not a.arrived[p == 0].any() and a.arrived[p == 1].all()
    assert (a.investment_factor >= 0.8).all() and (a.investment_factor <= 1.2).all()
    # arrivals are drawn first: the ranges do not change who arrives
    assert np.array_equal(draw_sample(17, seed=5, p_land=p, uncertainty=Uncertainty()).arrived, a.arrived)


def test_sample_inputs_exclude_who_did_not_arrive_and_drop_their_locks() -> None:
    projects = _projects()
    sc = scenario_from_dict({"locks": [{"project": "A", "site": "S1"}, {"project": "B", "site": "S2"}],
                             "exclude_projects": ["D"], "uncertainty": {"need_range": [2, 2]}})
    draw = draw_sample(0, seed=0, p_land=np.array([0.0, 1.0, 1.0, 1.0]), uncertainty=sc.uncertainty)
    table, sample = sample_inputs(projects, sc, draw)
    assert sample.exclude_projects == frozenset({"A", "D"})
    assert sample.locks == (("B", "S2"),)
    assert table["floor_need_m2"].tolist()[1:] == [200.0, 400.0, 600.0]
    assert projects["floor_need_m2"].tolist()[1] == 100.0  # the input table is never changed


def test_uncertainty_table_round_trips_and_refuses_bad_values() -> None:
    sc = scenario_from_dict({"uncertainty": {"p_land": 0.927, "p_land_by_mode": {"租赁": 0.757},
                                             "p_land_by_industry": {"biomed": 0.5}, "investment_range": [0.8, 1.2]}})
    assert sc.uncertainty.p_land_by_mode == (("lease", 0.757),)  # Chinese names are understood
    again = scenario_from_dict(sc.to_dict())
    assert again.uncertainty == sc.uncertainty
    assert "uncertainty" not in scenario_from_dict({}).to_dict()  # no table, no change to other scenarios
    with pytest.raises(InputError) as err:
        scenario_from_dict({"uncertainty": {"p_land": 1.5, "p_land_by_mode": {"rent": 0.5},
                                            "need_range": [1.2, 0.8], "spread": 1}}, source="s.toml")
    text = err.value.report.text()
    for bit in ("uncertainty.p_land", "rent", "uncertainty.need_range", "uncertainty.spread", "s.toml"):
        assert bit in text


def test_p_land_column_is_read_and_bad_values_are_named(tmp_path: Path) -> None:
    header = ["project_id", "investment_yi", "mode", "floor_need_m2", "落地概率"]
    good = write_csv(tmp_path / "good.csv", [header, ["P1", "1", "lease", "100", "0.75"],
                                             ["P2", "1", "lease", "100", "40%"], ["P3", "1", "lease", "100", ""]])
    df = read_projects(good)
    assert df["p_land"].iloc[:2].tolist() == [0.75, 0.4] and math.isnan(df["p_land"].iat[2])
    bad = write_csv(tmp_path / "bad.csv", [header, ["P1", "1", "lease", "100", "1.5"],
                                           ["P2", "1", "lease", "100", "maybe"]])
    with pytest.raises(InputError) as err:
        read_projects(bad)
    probs = {(p.row, p.item_id, p.column) for p in err.value.report.errors}
    assert probs == {(2, "P1", "p_land"), (3, "P2", "p_land")}
    assert all(p.file == str(bad) and p.message_zh and p.message_en for p in err.value.report.errors)
    assert "from 0 to 1" in err.value.report.text("en") and "1.5" in err.value.report.text("zh")


def test_output_set_is_published_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = {"a.csv": b"1", "sub/b.csv": b"2", "summary.json": json.dumps({"files": {"a.csv": 1,
                                                                                      "sub/b.csv": 2}}).encode()}
    publish_files(first, out, marker="summary.json")
    assert (out / "sub" / "b.csv").read_bytes() == b"2"
    (out / "mine.txt").write_text("the planner's own file")
    second = {"a.csv": b"3", "summary.json": json.dumps({"files": {"a.csv": 3}}).encode()}
    publish_files(second, out, marker="summary.json")
    assert (out / "a.csv").read_bytes() == b"3"
    assert not (out / "sub").exists()  # the old set's file is gone with its folder
    assert (out / "mine.txt").read_text() == "the planner's own file"  # other files are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left behind
    with pytest.raises(InputError):
        publish_files(second, out / "a.csv", marker="summary.json")
