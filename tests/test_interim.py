"""Interim plans (issue 18: every interaction under 1 s): a solve that outlasts a moment shows the best plan found so
far, labelled as not yet proven with its gap to a real bound, and its own result replaces it when it ends.

The core (:class:`zq_land.Progress` through ``allocate``) and the app (``streamlit.testing``): a planner clicking
"run" on settings whose proof takes seconds sees a plan at once, told what it is, with nothing to download or
compare until the final plan is in; the final plan is the one the same settings give without any of this.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import app_page

from zq_land import Progress, allocate, assignments_csv_bytes, load_scenario, read_projects, read_sites

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample() -> tuple[Any, Any, Any]:
    """The land-saving scenario on the bundled sample (its proof takes 1-3 s on this machine) and the tables."""
    sc = load_scenario(ROOT / "scenarios" / "land_saving.toml")
    return sc, read_sites(sc.sites), read_projects(sc.projects)


def _watched(sc: Any, sites: Any, projects: Any) -> tuple[Any, list[tuple[float, Any]]]:
    """The result of ``allocate`` with a progress, and every interim result seen while it ran (polled as the app
    does, from another thread)."""
    progress = Progress()
    box: dict[str, Any] = {}

    def solve() -> None:
        try:
            box["result"] = allocate(sc, sites=sites, projects=projects, progress=progress)
        except BaseException as exc:  # re-raised below, in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=solve)
    t0 = time.monotonic()
    thread.start()
    seen: list[tuple[float, Any]] = []
    while thread.is_alive():
        r = progress.latest()
        if r is not None and (not seen or r is not seen[-1][1]):
            seen.append((time.monotonic() - t0, r))
        thread.join(0.05)
    if "error" in box:
        raise box["error"]
    return box["result"], seen


def test_interim_plans_are_real_plans_with_a_real_bound_and_the_final_plan_is_unchanged(sample: Any) -> None:
    sc, sites, projects = sample
    final, seen = _watched(sc, sites, projects)
    plain = allocate(sc, sites=sites, projects=projects)
    # listening changes nothing: the same inputs give the same plan, proven
    assert final.solve.status == "optimal" and not final.interim
    assert assignments_csv_bytes(final) == assignments_csv_bytes(plain)
    assert seen, "a proof of a second or more shows at least one plan on the way"
    best = final.solve.objective
    values = []
    for _, r in seen:
        rep = r.solve
        assert r.interim and rep.status == "feasible"
        assert "临时方案" in rep.message.zh and "interim" in rep.message.en
        assert rep.objective <= best + 1e-6  # no better than the optimum ...
        assert rep.bound >= best - 1e-6  # ... and its bound is a real one: the optimum lies below it
        assert rep.gap == pytest.approx((rep.bound - rep.objective) / abs(rep.objective), rel=1e-6)
        # a plan the rules allow: every project on one site at most, no site over its capacity
        placed = r.assignments[r.assignments["status"] == "placed"]
        assert placed["project_id"].is_unique
        use = r.site_use
        assert (use["used"] <= use["capacity"] * (1 + 1e-9) + 1e-9).all()
        assert r.kpis["projects_placed"] == len(placed)
        values.append(rep.objective)
    assert values == sorted(values)  # each plan shown is at least as good as the one before


@pytest.mark.slow
def test_a_large_model_shows_its_plan_once_its_bound_is_known() -> None:
    """A city-scale upload (here 1,000 projects x 2,000 sites, demand 1.2x the room: 300k+ pairs, the array path)
    gives an interim plan once its bound is known and its core MIP runs, long before its solve ends; before, a large
    model had none and the click waited for the whole solve."""
    from benchmarks.generate import make_instance
    from zq_land import Scenario, Weights
    from zq_land.scenario import SolverSettings

    sites, projects = make_instance(1000, 2000, seed=1, tightness=1.2)
    sc = Scenario(name="city", weights=Weights(investment=1.0), solver=SolverSettings(name="highs", time_limit_s=10.0))
    final, seen = _watched(sc, sites, projects)
    assert seen, "no interim plan while the large model was solved"
    _, first = seen[0]
    assert first.interim and first.solve.status == "feasible"
    assert first.solve.bound >= first.solve.objective > 0 and first.solve.gap < 0.01  # a real bound, and close
    assert first.kpis["projects_placed"] > 0
    assert final.solve.objective >= first.solve.objective - 1e-9
    assert not final.interim and final.solve.bound >= final.solve.objective


def test_progress_keeps_the_best_plan_and_makes_results_only_while_the_solver_runs() -> None:
    progress = Progress()
    made: list[np.ndarray] = []
    progress.attach(lambda chosen: made.append(chosen) or ("plan", tuple(chosen)))
    progress.wrap(lambda plan: ("result", plan))
    assert progress.latest() is None  # nothing offered yet
    progress.offer(np.array([3, 1]), 10.0)
    assert progress.latest() is None  # the solver is not inside HiGHS: the tables are not free to read
    with progress.solving():
        assert progress.latest() == ("result", ("plan", (3, 1)))
        progress.offer(np.array([2]), 9.0)  # worse: not kept
        assert progress.latest() == ("result", ("plan", (3, 1)))
        assert len(made) == 1  # the same plan is not made twice
        progress.offer(np.array([4]), 11.0)
        assert progress.latest() == ("result", ("plan", (4,)))
    assert progress.value == 11.0
    progress.close()
    progress.offer(np.array([5]), 12.0)  # the solve is finishing: nothing more is taken
    assert progress.value == 11.0
    assert progress.latest() == ("result", ("plan", (4,)))  # the last one made


def test_a_cancelled_solve_stops_soon_and_claims_no_proof(sample: Any) -> None:
    """A solve nobody waits for any more (settings solved ahead, then another run clicked) gives its cores back: it
    stops at HiGHS's next check, and what it returns is never labelled proven."""
    sc, sites, projects = sample
    slow = dataclasses.replace(sc, policy=dataclasses.replace(sc.policy, usable_land_ratio=0.75))
    t0 = time.monotonic()
    full = allocate(slow, sites=sites, projects=projects)
    full_s = time.monotonic() - t0
    assert full.solve.status == "optimal"
    progress = Progress()
    timer = threading.Timer(0.5, progress.cancel)
    timer.start()
    t0 = time.monotonic()
    cut = allocate(slow, sites=sites, projects=projects, progress=progress)
    cut_s = time.monotonic() - t0
    timer.cancel()
    assert progress.cancelled
    if full_s > 3.0:  # a proof that takes a while here is cut short (a fast machine may prove it before 0.5 s)
        assert cut.solve.status != "optimal" and cut_s < 0.5 * full_s, (cut.solve.status, cut_s, full_s)
    assert cut.solve.status == "optimal" or cut.solve.gap > 0  # never a proof it did not make


def test_newer_settings_stop_the_solve_ahead_of_older_ones_but_never_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings the scenario page shows are solved in the background. When the planner changes them, the solve of
    the older ones (seconds of a proof nobody waits for) stops and the cores go to the newest; a solve that "run"
    took is the run's own and goes on, whatever the planner does next."""
    from concurrent.futures import wait

    from ui import state

    state.forget_proven()
    at = app_page("情景", "Scenario")
    at.selectbox(key="sc_base").select("land_saving").run()
    older = dict(state._AHEAD)
    assert older, "the settings shown are solved ahead"
    _slow_settings(at)  # newer settings: their proof takes seconds
    for future, progress in older.values():
        assert future.cancelled() or progress.cancelled or future.done()
    stopped = [f for f, p in older.values() if p.cancelled and not f.cancelled()]
    done, _ = wait(stopped, timeout=5.0)  # a proof of seconds stops at HiGHS's next check
    assert len(done) == len(stopped)
    for future in stopped:
        assert future.result().solve.status != "optimal" or future.result().solve.gap == 0
    assert not set(older) & set(state._AHEAD)  # nobody will take their results
    slow = dict(state._AHEAD)
    assert len(slow) == 1
    ((slow_key, (slow_future, slow_progress)),) = slow.items()
    deadline = time.monotonic() + 10.0
    while not slow_future.running() and not slow_future.done() and time.monotonic() < deadline:
        time.sleep(0.05)
    # the planner runs these settings (the solve ahead is taken), then goes on with others and runs them too
    monkeypatch.setenv(state.INTERIM_ENV, "0.3")
    at.button(key="btn_run").click().run()
    assert at.session_state["current_result"] == slow_key
    job = at.session_state["solving"].get(slow_key)
    assert job is not None and job.progress is slow_progress  # the run waits on the solve ahead, not a new one,
    assert at.session_state["results_cache"][slow_key].interim  # and shows its best plan so far (its 8 s proof goes on)
    assert slow_key not in state._AHEAD
    at.session_state["nav"] = "情景"
    at.run()
    at.selectbox(key="sc_base").select("nev_cluster").run()
    at.button(key="btn_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not slow_progress.cancelled  # the first run's solve goes on
    final = slow_future.result()
    assert final.solve.status == "optimal"
    at.run()
    assert not at.session_state["results_cache"][slow_key].interim
    state.forget_proven()


def _slow_settings(at: Any) -> Any:
    """The scenario page set to the land-saving scenario with a usable-land ratio of 0.75 (a proof of 5-10 s)."""
    at.selectbox(key="sc_base").select("land_saving").run()
    at.number_input(key="sc_ratio").set_value(0.75).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_run_shows_the_best_plan_so_far_then_the_final_plan(monkeypatch: pytest.MonkeyPatch, sample: Any) -> None:
    from ui import state

    monkeypatch.setattr(state, "INTERIM_REFRESH_S", 1.0)
    state.forget_proven()
    at = app_page("情景", "Scenario")
    at.button(key="btn_run").click().run()  # the recorded plan, waited for (the env of the suite says so)
    first = at.session_state["results_cache"][at.session_state["current_result"]]
    assert not first.interim and first.solve.status == "optimal"
    monkeypatch.setenv(state.INTERIM_ENV, "0.3")
    at.session_state["nav"] = "情景"
    at.run()
    _slow_settings(at)
    at.button(key="btn_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    key = at.session_state["current_result"]
    shown = at.session_state["results_cache"][key]
    assert shown.interim and shown.solve.status == "feasible"
    job = at.session_state["solving"][key]
    assert not job.future.done()
    # the planner is told what the plan is: not proven, its score, the best possible, the gap
    info = " ".join(i.value for i in at.info)
    assert "临时方案" in info and "求解器仍在证明最优" in info and "%" in info
    assert any(m.value == "临时方案" for m in at.metric)
    # nothing to take away or compare yet: the compare page still has one result only
    assert not at.get("download_button")
    at.session_state["nav"] = "对比"
    at.run()
    assert any("需要至少两个结果" in i.value for i in at.info)
    assert any("求解器仍在工作" in c.value for c in at.caption)  # above every page while the solve is under way
    # while the solver works, the page shows the best plan it has found, never a worse one than before
    at.session_state["nav"] = "结果"
    shown_values = [shown.solve.objective]
    while True:  # the page's clock looks every second; a run of the page does the same
        time.sleep(1.1)
        done = job.future.done()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        now = at.session_state["results_cache"][key]
        if not now.interim:
            break
        assert not done
        shown_values.append(now.solve.objective)
        assert now.solve.bound >= now.solve.objective
    assert shown_values == sorted(shown_values) and shown_values[-1] > shown_values[0], shown_values
    final_expected = job.future.result()
    final = at.session_state["results_cache"][key]
    assert not final.interim and final.solve.status == "optimal"
    assert assignments_csv_bytes(final) == assignments_csv_bytes(final_expected)
    assert key not in at.session_state["solving"]
    assert any("最终方案已出" in s.value for s in at.success)
    assert not any("临时方案" in i.value for i in at.info)
    assert state.proven_result(key) is not None  # kept for every session once proven
    # the same settings solved on their own give that plan
    _, sites, projects = sample
    again = allocate(final.scenario, sites=sites, projects=projects)
    assert assignments_csv_bytes(again) == assignments_csv_bytes(final)
    at.session_state["nav"] = "对比"
    at.run()
    assert at.selectbox(key="cmp_b").value == key  # now comparable
    state.forget_proven()


def test_the_interim_note_is_whole_english(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import state

    monkeypatch.setenv(state.INTERIM_ENV, "0.3")
    state.forget_proven()
    at = _slow_settings(app_page("情景", "Scenario", "en"))
    at.button(key="btn_run").click().run()
    key = at.session_state["current_result"]
    assert at.session_state["results_cache"][key].interim
    info = " ".join(i.value for i in at.info)
    assert "An interim plan" in info and "still proving the optimum" in info
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in info)  # no Chinese in the English note
    assert any(m.value == "interim" for m in at.metric)
    assert any("The solver is still working" in c.value for c in at.caption)
    at.session_state["nav"] = state.page_label("scenario", "en")  # the planner goes on with the settings meanwhile
    at.run()
    at.session_state["solving"][key].future.result()
    at.run()
    assert not at.session_state["results_cache"][key].interim
    assert any("The final plan is in" in s.value for s in at.success)  # told on whatever page they are
    assert not any("still working" in c.value for c in at.caption)
    state.forget_proven()
