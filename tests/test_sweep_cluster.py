"""A sweep through a real ``dask scheduler`` and ``dask worker`` (two worker processes) started here on
free localhost ports, as a bureau's cluster would run them: the workers have zq_land's dependencies but
not zq_land (the client sends its code) and share no folder with it (the tasks carry their inputs), and
the chances are the hand-computed ones."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sweep_instance import write_instance

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler on a free port with one ``dask worker`` of two single-threaded processes."""
    from distributed import Client

    home = tmp_path_factory.mktemp("cluster")
    info = home / "scheduler.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # no zq_land there: the client sends it
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--dashboard-address", "127.0.0.1:0",
                               "--scheduler-file", str(info)], cwd=home, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        until = time.monotonic() + 60
        while not info.exists() and time.monotonic() < until:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        work = home / "worker"
        work.mkdir()
        procs.append(subprocess.Popen([str(DASK), "worker", address, "--nworkers", "2", "--nthreads", "1",
                                       "--no-dashboard", "--local-directory", str(work)], cwd=work, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def _sweep(args: list[str], env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    if not env_extra:
        env.pop("ZQ_LAND_DASK", None)
    return subprocess.run([sys.executable, "-m", "zq_land", "sweep", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_sweep_through_a_scheduler_with_two_worker_processes(scheduler: str, tmp_path: Path) -> None:
    scenario = write_instance(tmp_path / "inputs")
    out = tmp_path / "out"
    run = _sweep([str(scenario), "--samples", "24", "--seed", "3", "--scheduler", scheduler, "--out", str(out)])
    assert run.returncode == 0, run.stderr
    assert "远程 remote, 2 个进程 workers" in run.stderr
    s = json.loads((out / "sweep_summary.json").read_text(encoding="utf-8"))
    assert s["workers"] == 2 and s["samples"] == 24 and s["samples_solved"] == 24 and s["seconds"] > 0
    assert s["engine"] == {"kind": "dask", "scheduler": scheduler, "local": False, "dashboard": None,
                           "threads": 2}
    proj = pd.read_csv(out / "sweep_projects.csv", encoding="utf-8-sig").set_index("project_id")
    assert proj.loc["A", "p_placed"] == 0 and proj.loc["B", "p_placed"] == 1
    sites = pd.read_csv(out / "sweep_sites.csv", encoding="utf-8-sig").set_index("site_id")
    assert sites.loc["L2", "p_used"] == 1
    # the inputs travel with the tasks: moving them away after the sweep started cannot matter, and the
    # same seed through ZQ_LAND_DASK gives the same files
    again = _sweep([str(scenario), "--samples", "24", "--seed", "3", "--out", str(tmp_path / "again")],
                   env_extra={"ZQ_LAND_DASK": scheduler})
    assert again.returncode == 0, again.stderr
    for name in ("sweep_projects.csv", "sweep_sites.csv", "sweep_samples.csv", "robust_plan.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name
