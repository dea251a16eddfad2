"""The peers benchmark compares like with like: on a tiny generated instance every peer (direct HiGHS, CBC,
CP-SAT when installed) proves the optimum zq_land's CLI proves, and each peer's plan passes zq_land's own
check (``plan_errors``) in the child that solved it."""

from __future__ import annotations

import importlib.util

import pytest

from benchmarks import bench_peers as bp


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("peers")
    files = bp.write_case("30x60@1.3", 1, work / "inst")
    peers = ["zq", "highs", "cbc"] + (["cpsat"] if importlib.util.find_spec("ortools") else [])
    return bp.measure("30x60@1.3", 1, 20.0, peers, files, work)


@pytest.mark.parametrize("peer", ["highs", "cbc", "cpsat"])
def test_peer_proves_zq_optimum(record: dict, peer: str) -> None:
    if peer == "cpsat":
        pytest.importorskip("ortools")
    zq = record["solvers"]["zq"]
    r = record["solvers"][peer]
    assert zq["status"] == "optimal", zq
    assert r["status"] == "optimal", r
    assert r["valid"] is True and r["plan_errors"] == [], r
    assert r["objective"] == pytest.approx(zq["objective"], rel=1e-6)
    assert r["bound"] == pytest.approx(zq["objective"], rel=1e-6)  # its own bound is the same optimum
    assert r["time_s"] > 0 and r["peak_mb"] > 0 and r["pairs"] > 0


def test_best_bound_and_tables(record: dict) -> None:
    assert "warning" not in record  # no plan above a bound: every bound is valid
    assert record["best_bound"] == pytest.approx(record["solvers"]["zq"]["objective"], rel=1e-6)
    for r in record["solvers"].values():
        assert abs(r["gap_best"]) < 1e-6
    text = bp.report([record], "header")
    assert "| 30x60@1.3 | 1 | 20 | highs | optimal |" in text


def _rec(size: str, limit: float, zq: dict, **others: dict) -> dict:
    rec = {"size": size, "seed": 1, "limit_s": limit, "solvers": {"zq": {"valid": True, **zq}, **others}}
    bp.compare(rec)
    return rec


def test_verdicts_read_the_targets_off_the_rows() -> None:
    ok = [
        _rec("500x1000", 5.0, {"status": "optimal", "objective": 10.0, "bound": 10.0, "gap": 0.0, "time_s": 3.0,
                               "over_limit_s": -2.0},
             cpsat={"status": "optimal", "objective": 10.0, "bound": 10.0, "valid": True, "time_s": 4.0}),
        _rec("2000x5000", 20.0, {"status": "feasible", "objective": 99.99, "bound": 100.0, "gap": 1e-4,
                                 "time_s": 21.0, "over_limit_s": 1.0}),
        _rec("4000x12000", 60.0, {"status": "feasible", "objective": 99.6, "bound": 100.0, "gap": 0.004,
                                  "time_s": 62.0, "over_limit_s": 2.0}),
        _rec("5000x20000", 120.0, {"status": "feasible", "objective": 99.5, "bound": 100.0, "gap": 0.005,
                                   "time_s": 121.0, "over_limit_s": 1.0, "peak_mb": 3000.0}),
    ]
    assert all(v == "met" for _, v, _ in bp.verdicts(ok)), bp.verdicts(ok)
    slow = ok[0]["solvers"]["zq"]
    slow["time_s"] = 5.0  # proven, but slower than CP-SAT's 4 s
    late = ok[2]["solvers"]["zq"]
    late["over_limit_s"] = 6.0
    v = {t[:2]: verdict for t, verdict, _ in bp.verdicts(ok)}
    assert v["1:"].startswith("not met") and "slower than CP-SAT" in v["1:"]
    assert v["2:"] == "met" and v["3:"] == "met"
    assert v["6:"].startswith("not met") and "over by 6.0 s" in v["6:"]
    assert bp.verdicts(ok[:1])[-1][1].startswith("met where measured (not in this run: 4000x12000")


def test_a_bound_below_a_checked_plan_is_not_used() -> None:
    rec = _rec("1000x2000", 5.0, {"status": "time_limit", "objective": 488.0, "bound": 848.0},
               cpsat={"status": "time_limit", "bound": 0.0}, cbc={"status": "x", "bound": 501.0})
    assert rec["best_bound"] == 501.0 and rec["best_bound_from"] == "cbc"
    assert "cpsat" in rec["warning"]
