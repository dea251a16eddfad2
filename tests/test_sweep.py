"""Sweeps on a real local Dask cluster, through the command line, on an instance solved by hand
(``sweep_instance.py``): chances, the robust plan, reproducibility across worker counts, a retried task,
Ctrl-C, an unreachable scheduler."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sweep_instance import P_LAND, write_instance

from zq_land.scenario import load_scenario
from zq_land.studies.sampling import draw_sample
from zq_land.studies.sweep import SampleOutcome, SweepBase, run_sweep, solve_sample

ROOT = Path(__file__).resolve().parents[1]


def approx(v: object) -> object:
    return pytest.approx(v, abs=1e-6)  # the CSVs carry 6 decimals
SAMPLES = 40
SEED = 7

pytestmark = pytest.mark.slow


def sweep_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ZQ_LAND_DASK", None)
    return subprocess.run([sys.executable, "-m", "zq_land", "sweep", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_instance(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="module")
def two_workers(instance: Path) -> Path:
    """The instance swept on a local cluster of two worker processes."""
    out = instance.parent / "out2"
    run = sweep_cli(str(instance), "--samples", str(SAMPLES), "--seed", str(SEED), "--workers", "2",
                    "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "cluster" in run.stderr and "2 个进程 workers" in run.stderr
    assert f"{SAMPLES}/{SAMPLES}" in run.stderr  # the progress bar reached the end
    return out


def arrivals() -> np.ndarray:
    from zq_land.scenario import Uncertainty

    return np.stack([draw_sample(i, seed=SEED, p_land=P_LAND, uncertainty=Uncertainty()).arrived
                     for i in range(SAMPLES)])


def read(path: Path) -> pd.DataFrame:
    """A sweep CSV (UTF-8 with BOM); its id columns as text ("" when empty), figures as numbers."""
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    ids = ("project_id", "site_id", "top_site", "all_arrive_site_id")
    df = pd.read_csv(path, encoding="utf-8-sig", dtype=dict.fromkeys(ids, str))
    return df.fillna({c: "" for c in ids if c in df.columns})


def test_chances_match_the_hand_computed_ones(two_workers: Path) -> None:
    arr = arrivals()  # samples x (X, Y, A, B, C)
    x, y, _, _, c = arr.T
    proj = read(two_workers / "sweep_projects.csv").set_index("project_id")
    assert proj.loc["A", "p_placed"] == 0 and proj.loc["B", "p_placed"] == 1  # ample room
    assert proj.loc["A", "top_site"] == "" and proj.loc["B", "top_site"] == "L2"
    assert proj.loc["C", "p_placed"] == approx(c.mean()) and proj.loc["C", "p_land"] == 0.5
    assert proj.loc["C", "p_land_source"] == "mode" and proj.loc["X", "p_land_source"] == "column"
    assert proj.loc["X", "p_placed"] == approx(x.mean())
    assert proj.loc["Y", "p_placed"] == approx((y & ~x).mean())
    assert proj.loc["Y", "p_placed_if_arrived"] == approx((y & ~x).sum() / y.sum())
    sites = read(two_workers / "sweep_sites.csv").set_index("site_id")
    assert sites.loc["L1", "p_used"] == approx((x | y).mean())
    assert sites.loc["L1", "p_full"] == sites.loc["L1", "p_used"]  # whoever comes takes all of it
    assert sites.loc["L2", "p_used"] == 1 and sites.loc["L2", "p_full"] == 0
    assert sites.loc["L2", "mean_free"] == approx(1000 - 5 - 5 * c.mean())
    # and the frequencies are near the probabilities they were drawn with
    assert abs((x | y).mean() - 0.86) < 0.15 and abs((y & ~x).mean() - 0.56) < 0.2


def test_robust_plan_and_regrets(two_workers: Path) -> None:
    arr = arrivals()
    x, y = arr[:, 0], arr[:, 1]
    plan = read(two_workers / "robust_plan.csv").set_index("project_id")
    assert plan.loc["Y", "site_id"] == "L1" and plan.loc["X", "site_id"] == ""
    assert plan.loc["X", "all_arrive_site_id"] == "L1"
    assert plan.loc["Y", "p_realised"] == approx(y.mean())
    s = json.loads((two_workers / "sweep_summary.json").read_text(encoding="utf-8"))
    robust_regret = (np.where(x & y, 5, 0) + np.where(x & ~y, 10, 0)).mean()
    all_regret = np.where(~x & y, 5, 0).mean()
    assert s["robust_plan"]["regret"]["mean"] == approx(robust_regret)
    assert s["all_arrive"]["regret"]["mean"] == approx(all_regret)
    assert s["samples"] == SAMPLES and s["samples_solved"] == SAMPLES and s["workers"] == 2
    assert s["seconds"] > 0 and s["status_counts"] == {"optimal": SAMPLES}
    assert s["engine"]["local"] is True and s["failures"]["count"] == 0
    samples = read(two_workers / "sweep_samples.csv")
    assert s["investment_placed_yi"]["p50"] == approx(np.percentile(samples["investment_placed_yi"], 50))
    assert s["land_needed_90_mu"] == approx(np.percentile(samples["land_used_mu"], 90))
    assert set(s["files"]) == {"sweep_projects.csv", "sweep_sites.csv", "sweep_samples.csv", "robust_plan.csv"}


def test_same_seed_same_files_on_one_worker(instance: Path, two_workers: Path) -> None:
    out = instance.parent / "out1"
    run = sweep_cli(str(instance), "--samples", str(SAMPLES), "--seed", str(SEED), "--workers", "1",
                    "--out", str(out), "--quiet")
    assert run.returncode == 0, run.stderr
    for name in ("sweep_projects.csv", "sweep_sites.csv", "sweep_samples.csv", "robust_plan.csv"):
        assert (out / name).read_bytes() == (two_workers / name).read_bytes(), name
    assert json.loads((out / "sweep_summary.json").read_text(encoding="utf-8"))["workers"] == 1


def _flaky(index: int, base: SweepBase) -> SampleOutcome:
    """Sample 3 fails on its first try (a marker file says it was tried), sample 5 always."""
    marker = Path(os.environ["ZQ_TEST_FLAKY_DIR"]) / f"tried-{index}"
    if index == 5 or (index == 3 and not marker.exists()):
        marker.touch()
        raise RuntimeError(f"injected failure of sample {index}")
    return solve_sample(index, base)


def test_a_failed_sample_is_retried_once_and_reported(instance: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZQ_TEST_FLAKY_DIR", str(tmp_path))  # the worker processes inherit it
    seen: list[tuple[str, int, int]] = []
    result = run_sweep(load_scenario(instance), samples=8, seed=SEED, workers=1, task=_flaky,
                       on_progress=lambda *a: seen.append(a))
    s = result.summary
    assert s["retried"] == [3, 5]
    assert s["failures"]["count"] == 1 and s["failures"]["samples"] == [5]
    assert "injected failure of sample 5" in s["failures"]["errors"]["5"]
    assert s["samples"] == 8 and s["samples_solved"] == 7
    assert 5 not in set(result.samples["sample"]) and 3 in set(result.samples["sample"])
    assert any("failed twice" in w for w in s["warnings"])
    assert seen[-1] == ("robust", 7, 7) and ("samples", 8, 8) in seen


def test_ctrl_c_cancels_and_writes_nothing(instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "never"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "zq_land", "sweep", str(instance), "--samples", "20000",
                             "--workers", "1", "--out", str(out)], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stderr is not None
        until = time.monotonic() + 120
        for line in proc.stderr:  # the progress bar: a line per 10 % when not on a terminal
            if "/20000" in line or time.monotonic() > until:
                break
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unreachable_scheduler_is_refused_quickly(instance: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    run = sweep_cli(str(instance), "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "o"))
    assert run.returncode == 2
    assert time.monotonic() - t0 < 30  # 4 s to connect; the rest is starting Python on a busy machine
    assert "无法连接 Dask 调度器" in run.stdout and "cannot reach the Dask scheduler" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr and not (tmp_path / "o").exists()


def test_an_interrupted_run_cancels_its_tasks_and_closes_the_cluster(instance: Path) -> None:
    """What the app's cancel button does: Streamlit stops the script in the progress callback."""
    import psutil

    class Stop(Exception):
        pass

    def stop_at_three(stage: str, done: int, total: int) -> None:
        if done == 3:
            raise Stop

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(Stop):
        run_sweep(load_scenario(instance), samples=500, seed=SEED, workers=1, on_progress=stop_at_three)
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE
            and "resource_tracker" not in " ".join(p.cmdline())]  # multiprocessing's, kept for the process
    assert not left, [p.cmdline() for p in left]


def test_a_sweep_recorded_in_the_store_exports_the_same_files(instance: Path, tmp_path: Path) -> None:
    store = tmp_path / "ws.gpkg"
    out = tmp_path / "o"
    run = sweep_cli(str(instance), "--samples", "6", "--seed", "3", "--workers", "1", "--store", str(store),
                    "--label", "三月试算", "--out", str(out), "--quiet")
    assert run.returncode == 0, run.stderr
    assert "sweep recorded: id 1" in run.stdout, run.stdout
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def runs(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "zq_land", "runs", *args, "--store", str(store)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120, check=False)

    listed = runs("sweeps", "--json")
    assert listed.returncode == 0, listed.stderr
    [entry] = json.loads(listed.stdout)
    assert (entry["label"], entry["scenario"], entry["samples"], entry["seed"]) == ("三月试算", "hand-made sweep", 6, 3)
    assert set(entry["files"]) == {p.name for p in out.iterdir()}
    again = tmp_path / "again"
    assert runs("export-sweep", "1", "--out", str(again)).returncode == 0
    for p in out.iterdir():  # every file comes back byte for byte
        assert (again / p.name).read_bytes() == p.read_bytes(), p.name
    missing = runs("export-sweep", "9", "--out", str(tmp_path / "none"))
    assert missing.returncode == 2 and "there is no sweep #9" in missing.stdout + missing.stderr
    assert "Traceback" not in missing.stdout + missing.stderr


def test_a_bad_store_is_refused_before_the_sweep_runs(instance: Path, tmp_path: Path) -> None:
    run = sweep_cli(str(instance), "--samples", "2", "--store", "mysql://nowhere/db", "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "postgresql://" in run.stdout + run.stderr, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr and not (tmp_path / "o").exists()
