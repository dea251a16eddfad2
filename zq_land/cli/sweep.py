"""``python -m zq_land sweep SCENARIO --samples N --seed S [--workers W | --scheduler ADDR] --out DIR``: solve
sampled pipelines on Dask and write the chances (``docs/SWEEPS.md``); what ``sweep`` and ``pareto`` share.

Both run on a local Dask cluster by default, or on ``--scheduler tcp://host:port`` (or ``ZQ_LAND_DASK``);
progress goes to stderr, results to ``--out`` (all files or none), a one-line summary to stdout. Ctrl-C
cancels: exit 130, nothing written.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

if TYPE_CHECKING:
    from .. import Scenario

#: Exit code after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_CANCELLED: Final = 130
#: The workspace store's environment variable (issue 13).
STORE_ENV: Final = "ZQ_LAND_STORE"
_STAGE_TEXT: Final = {
    "samples": "求解样本 / solving samples",
    "robust": "评估稳健方案 / evaluating the robust plan",
    "pareto": "求解前沿点 / solving front points",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="solve sampled pipelines on Dask: chances, P10/P50/P90, a robust plan / 不确定性抽样分析",
        description="Draw --samples pipelines (each project lands with its p_land, else the scenario's "
        "[uncertainty] defaults), solve each with one HiGHS thread on a Dask cluster, and write "
        "sweep_projects.csv, sweep_sites.csv, sweep_samples.csv, robust_plan.csv and sweep_summary.json "
        "into --out. The same seed gives the same files on any number of workers.",
    )
    p.add_argument("scenario", help="scenario TOML (its [uncertainty] table sets the default probabilities)")
    p.add_argument("--samples", type=int, default=200, help="number of samples (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the samples (default 0)")
    _add_engine_options(p)
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--time-limit", type=float, help="seconds per sample solve (default the scenario's)")
    p.add_argument("--store", help=f"workspace store to record the sweep in (default ${STORE_ENV})")
    p.add_argument("--label", help="the sweep's name in the store (default: the scenario's name)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    """``python -m zq_land sweep``."""
    from .. import SweepFailed, input_error, run_sweep, write_sweep

    sc = _scenario(args)
    if args.samples < 1 or args.samples > 1_000_000:
        raise input_error("<command line>", "--samples 须在 1 到 1,000,000 之间", "--samples must be from 1 to "
                          "1,000,000", column="--samples", found=str(args.samples))
    if args.seed < 0:
        raise input_error("<command line>", "--seed 须为非负整数", "--seed must be a whole number >= 0",
                          column="--seed", found=str(args.seed))
    store = _store(args)
    bar = _Bar(sys.stderr, quiet=args.quiet)
    try:
        result = run_sweep(sc, samples=args.samples, seed=args.seed, workers=args.workers,
                           scheduler=_scheduler(args), on_progress=bar.update, on_cluster=bar.cluster)
    except KeyboardInterrupt:
        bar.close()
        print("已取消，未写入任何输出 / cancelled: no output written", file=sys.stderr)
        return EXIT_CANCELLED
    except SweepFailed as exc:
        bar.close()
        print(f"抽样分析失败 / sweep failed: {exc}", file=sys.stderr)
        return 1
    bar.close()
    paths = write_sweep(result, args.out)
    for w in result.warnings:
        print(f"警告 WARNING: {w}", file=sys.stderr)
    print(_sweep_line(result.summary))
    if store:
        _record_in_store(store, result.summary, result.files(), args.label)
    if not args.quiet:
        print(f"outputs / 输出: {Path(args.out)}/ " + ", ".join(paths))
    return 0


# --- shared pieces ------------------------------------------------------------------------------


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="worker processes of the local Dask cluster (default: one "
                       "per core)")
    where.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                       "(default $ZQ_LAND_DASK); it needs zq_land's dependencies, zq_land itself is sent")


def _scenario(args: argparse.Namespace) -> Scenario:
    from .. import input_error, load_scenario

    sc = load_scenario(args.scenario)
    if getattr(args, "time_limit", None) is not None:
        if args.time_limit <= 0:
            raise input_error("<command line>", "--time-limit 须大于 0", "--time-limit must be > 0",
                              column="--time-limit", found=str(args.time_limit))
        sc = sc.with_(solver=replace(sc.solver, time_limit_s=float(args.time_limit)))
    if args.workers is not None and args.workers < 1:
        raise input_error("<command line>", "--workers 须至少为 1", "--workers must be at least 1",
                          column="--workers", found=str(args.workers))
    return sc


def _scheduler(args: argparse.Namespace) -> str | None:
    from .. import scheduler_address

    return scheduler_address(args.scheduler, args.workers)


def _store(args: argparse.Namespace) -> str | None:
    """The store to record in; refused up front when asked for explicitly and this build has none."""
    from .. import env_store_url

    url = args.store or env_store_url()
    if url:
        from .. import open_store

        open_store(url).close()  # a bad URL or an unreachable server fails now, not after the sweep
    return url


def _record_in_store(url: str, summary: dict[str, Any], files: dict[str, bytes], label: str | None) -> None:
    from .. import record_sweep

    sweep_id = record_sweep(url, summary=summary, files=files, label=label)
    print(f"抽样分析已记录 / sweep recorded: id {sweep_id} ({url}; runs sweeps --store 列出 / lists them)")


def _sweep_line(s: dict[str, Any]) -> str:
    inv = s["investment_placed_yi"]
    rob, alla = s["robust_plan"]["regret"], s["all_arrive"]["regret"]
    fail = f", {s['failures']['count']} failed" if s["failures"]["count"] else ""
    return (f"{s['scenario']}: {s['samples_solved']}/{s['samples']} samples{fail} on {s['workers']} workers in "
            f"{s['seconds']:.1f} s — placed investment P10/P50/P90 {inv['p10']:.2f}/{inv['p50']:.2f}/"
            f"{inv['p90']:.2f} 亿元; land needed at 90 %: {s['land_needed_90_mu']:.1f} mu; robust plan mean "
            f"regret {_num(rob['mean'])} (all-arrive plan {_num(alla['mean'])})")


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


class _Bar:
    """A progress bar on stderr: redrawn in place on a terminal, a line per 10 % otherwise."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.t0 = time.monotonic()
        self.stage = ""
        self.shown = -1
        self.open = False

    def cluster(self, c: Any) -> None:
        kind = "本地 local" if c.local else "远程 remote"
        link = f" · 监控面板 dashboard {c.dashboard}" if c.dashboard else ""
        print(f"Dask 集群 / cluster: {kind}, {c.workers} 个进程 workers, {c.threads} 个线程 threads · "
              f"{c.address}{link}", file=self.stream, flush=True)
        for w in c.warnings:
            print(f"警告 WARNING: {w}", file=self.stream, flush=True)

    def update(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.shown, self.t0 = stage, -1, time.monotonic()
        tenth = done * 10 // max(total, 1)
        if not self.tty and tenth == self.shown and done != total:
            return
        self.shown = tenth
        width = 30
        filled = done * width // max(total, 1)
        spent = time.monotonic() - self.t0
        eta = spent / done * (total - done) if done else 0.0
        line = (f"{_STAGE_TEXT.get(stage, stage)} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                f"{spent:.0f} s, ~{eta:.0f} s left")
        if self.tty:
            self.stream.write("\r" + line)
            self.open = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False
