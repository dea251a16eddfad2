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
