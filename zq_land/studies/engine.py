"""Run independent tasks on Dask: a local cluster by default, or an existing scheduler.

``dask_cluster()`` starts a ``distributed.LocalCluster`` with one single-threaded worker process per core
(nothing to set up), or connects to ``tcp://host:8786`` (``--scheduler`` or ``ZQ_LAND_DASK``).
:func:`run_tasks` sends the shared inputs to every worker once (scattered, so no shared file system is
needed), maps a function over the items, retries a failed item once, reports progress after each one,
and cancels whatever is left when it is interrupted (Ctrl-C, the app's cancel button).

The workers of a remote cluster need zq_land's dependencies (the packages of ``requirements.txt``), not
zq_land itself: the client sends its own copy, zipped, onto their path (``Client.upload_file``), so they
run exactly its code; the tasks' inputs travel with them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .._errors import input_error

#: The environment variable naming a scheduler (``tcp://host:8786``) when ``--scheduler`` is not given.
DASK_ENV: Final = "ZQ_LAND_DASK"
#: Seconds to reach a scheduler, and again to see a worker, before giving up with a message.
CONNECT_TIMEOUT_S: Final = 4.0
#: How often a failed task is tried again before it counts as a failure.
RETRIES: Final = 1
#: Tasks kept in flight: this many per worker thread, and at least WINDOW_MIN.
WINDOW_PER_THREAD: Final = 4
WINDOW_MIN: Final = 8

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Cluster:
    """A connected Dask client and what the run reports about it."""

    client: Any  # distributed.Client
    address: str
    workers: int
    threads: int
    dashboard: str | None
    local: bool
    warnings: tuple[str, ...] = ()


@dataclass
class TaskRun:
    """What :func:`run_tasks` brought back: results by item, items that failed twice, items retried."""

    results: dict[int, Any] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    retried: list[int] = field(default_factory=list)
    seconds: float = 0.0


def scheduler_address(scheduler: str | None, workers: int | None) -> str | None:
    """The scheduler to use: ``scheduler``, else ``ZQ_LAND_DASK`` unless local ``workers`` were asked for."""
    if scheduler:
        return scheduler.strip()
    if workers is None:
        env = os.environ.get(DASK_ENV, "").strip()
        return env or None
    return None


@contextlib.contextmanager
def dask_cluster(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Cluster]:
    """A Dask cluster for the duration of the block: connected to ``scheduler``, else a local one.

    Parameters
    ----------
    workers
        Worker processes of the local cluster (one thread each); default one per core.
    scheduler
        ``tcp://host:port`` of a running ``dask scheduler`` (with its workers).

    Raises
    ------
    InputError
        When the scheduler cannot be reached within :data:`CONNECT_TIMEOUT_S` seconds, has no worker, or
        its workers cannot import zq_land.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        client = _connect(scheduler)
        try:
            yield _describe(client, local=False, warnings=_check_workers(client, scheduler))
        finally:
            client.close()
        return
    from dask.system import CPU_COUNT

    n = workers or CPU_COUNT
    dashboard = "127.0.0.1:0" if _has_bokeh() else None
    with _workers_ignore_sigint():
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=dashboard, silence_logs=logging.ERROR)
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield _describe(client, local=True)
        finally:
            client.close()
    finally:
        cluster.close()


def run_tasks(
    cluster: Cluster,
    func: Callable[..., Any],
    items: Sequence[int],
    *,
    shared: Any,
    on_progress: Progress | None = None,
    keep: Callable[[int, Any], Any] | None = None,
    retries: int = RETRIES,
    name: str = "zq-land",
) -> TaskRun:
    """``func(item, shared)`` for every item on the cluster; results by item.

    ``shared`` is sent to every worker once. A task that raises is submitted again (at most ``retries``
    times) and, when it fails again, its error is kept in ``TaskRun.errors``. ``keep(item, result)``, when
    given, sees each result as it arrives and returns what to keep of it (e.g. after adding it up).
    ``on_progress(done, total)`` is called after each item that is finished (solved or failed for good).
    Whatever stops this call (Ctrl-C, an exception from ``on_progress``) cancels the tasks still queued or
    running.
    """
    from distributed import as_completed

    client = cluster.client
    t0 = time.perf_counter()
    out = TaskRun()
    if not items:
        return out
    token = uuid.uuid4().hex[:12]  # keys unique to this run on a scheduler shared with others
    [base] = client.scatter([shared], broadcast=True, hash=False)
    item_of: dict[str, int] = {}
    attempts: dict[int, int] = {}

    def submit(item: int) -> Any:
        tries = attempts.get(item, 0)
        key = f"{name}-{token}-{item}" + (f"-retry{tries}" if tries else "")
        item_of[key] = item
        return client.submit(func, item, base, key=key, pure=False)

    # a window of tasks in flight, topped up as they finish: the workers never wait (a submit is a few ms
    # against tasks of 0.1-1 s), and a cancel has only the window to withdraw (20,000 queued tasks took
    # the scheduler longer than 5 s to forget, and it logged a screenful of errors meanwhile)
    queue = deque(int(i) for i in items)
    window = max(WINDOW_MIN, WINDOW_PER_THREAD * cluster.threads)
    flying: dict[str, Any] = {}
    done = 0
    try:
        ac = as_completed(loop=client.loop)
        while queue and len(flying) < window:
            fut = submit(queue.popleft())
            flying[fut.key] = fut
            ac.add(fut)
        for fut in ac:
            flying.pop(fut.key, None)
            item = item_of[fut.key]
            again = fut.status != "finished" and attempts.get(item, 0) < retries
            if again:
                attempts[item] = attempts.get(item, 0) + 1
                out.retried.append(item)
            elif fut.status != "finished":
                out.errors[item] = _error_text(fut)
            else:
                result = fut.result()
                out.results[item] = result if keep is None else keep(item, result)
            fut.release()
            if again or queue:
                new = submit(item if again else queue.popleft())
                flying[new.key] = new
                ac.add(new)
            if not again:
                done += 1
                if on_progress is not None:
                    on_progress(done, len(items))
    finally:
        left = list(flying.values())
        with contextlib.suppress(Exception):
            client.cancel([*left, base])
            _wait_released(client, {f.key for f in left} | {base.key})
    out.retried.sort()
    out.seconds = time.perf_counter() - t0
    return out


# --- private helpers ------------------------------------------------------------------------------


def _connect(address: str) -> Any:
    from distributed import Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
        raise input_error("--scheduler", f"无法连接 Dask 调度器 {address}（{CONNECT_TIMEOUT_S:g} 秒内无响应或地址"
                          f"无效）：{exc}", f"cannot reach the Dask scheduler at {address} (no answer within "
                          f"{CONNECT_TIMEOUT_S:g} s, or not an address): {exc}", column="--scheduler",
                          found=address, expected="tcp://HOST:PORT") from None


def _check_workers(client: Any, address: str) -> tuple[str, ...]:
    """Refuse a cluster without workers or whose workers lack zq_land; warn about other versions."""
    import zq_land

    try:
        client.wait_for_workers(1, timeout=2 * CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError):
        client.close()
        raise input_error("--scheduler", f"Dask 调度器 {address} 没有任何 worker（请先启动 `dask worker {address}`）",
                          f"the Dask scheduler at {address} has no worker (start `dask worker {address}` "
                          "first)", column="--scheduler", found=address) from None
    try:
        name = _send_code(client)
        fresh = _fresh_import()
        client.run_on_scheduler(fresh, name)  # the scheduler unpickles the tasks too
        seen = client.run(fresh, name)
    except Exception as exc:
        client.close()
        raise input_error("--scheduler", f"Dask worker 无法导入 zq_land（worker 须装有 requirements.txt 中的依赖包）："
                          f"{exc}", f"the Dask workers cannot import zq_land (they need the packages of "
                          f"requirements.txt): {type(exc).__name__}: {exc}", column="--scheduler",
                          found=address) from None
    other = sorted({str(v) for v in seen.values()} - {zq_land.__version__})
    if other:  # cannot happen with the code just sent, unless a worker's path puts another copy first
        return (f"worker 上的 zq_land 版本 {', '.join(other)} 与本机 {zq_land.__version__} 不同 | the workers run "
                f"zq_land {', '.join(other)}, this machine {zq_land.__version__}",)
    return ()


def _send_code(client: Any) -> str:
    """This machine's zq_land, zipped, onto every worker's path (``Client.upload_file``): a remote cluster
    then needs only zq_land's dependencies, and runs exactly the client's code. Named by its content's
    hash, so an unchanged package is the same file and another version a different one."""
    import hashlib
    import tempfile
    import zipfile

    import zq_land

    root = Path(zq_land.__file__).resolve().parent
    files = sorted(f for f in root.rglob("*") if f.is_file() and "__pycache__" not in f.parts
                   and f.suffix not in (".pyc", ".pyo"))
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.relative_to(root).as_posix().encode())
        digest.update(f.read_bytes())
    name = f"zq_land-{digest.hexdigest()[:16]}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for f in files:
                z.writestr(zipfile.ZipInfo(f"zq_land/{f.relative_to(root).as_posix()}", (2022, 12, 31, 0, 0, 0)),
                           f.read_bytes())
        client.upload_file(str(path), load=True)  # onto the path of the scheduler and of every worker
    return name


def _wait_released(client: Any, keys: set[str], timeout_s: float = 5.0) -> None:
    """Wait until no worker holds or runs ``keys``: closing the client earlier makes the scheduler log
    a screenful of "Closed comm" errors while it still reports on them (measured: 0.1-2 s after a cancel)."""
    until = time.monotonic() + timeout_s
    while time.monotonic() < until:
        seen = {k for ks in client.processing().values() for k in ks}
        seen |= {k for ks in client.has_what().values() for k in ks}
        if not seen & keys:
            return
        time.sleep(0.05)


def _fresh_import() -> Callable[..., str]:
    """A function for ``Client.run`` and ``run_on_scheduler``: the uploaded zip first on the path, any older
    zq_land forgotten, the tasks' module imported (so a missing dependency fails here, once, not in every
    task). Made as a closure so that it travels by value: the cluster cannot import zq_land before it ran."""

    def fresh_import(name: str, dask_worker: Any = None, dask_scheduler: Any = None) -> str:
        import importlib
        import os
        import sys

        zips = [p for p in sys.path if p.endswith(name)]
        server = dask_worker if dask_worker is not None else dask_scheduler
        if not zips and server is not None:
            zips = [os.path.join(server.local_directory, name)]
        for p in zips:
            if p in sys.path:
                sys.path.remove(p)
            sys.path.insert(0, p)
        for mod in [m for m in sys.modules if m == "zq_land" or m.startswith("zq_land.")]:
            del sys.modules[mod]
        importlib.invalidate_caches()
        version = importlib.import_module("zq_land").__version__
        importlib.import_module("zq_land.studies.sweep")  # the tasks live there
        return str(version)

    return fresh_import


def _describe(client: Any, *, local: bool, warnings: tuple[str, ...] = ()) -> Cluster:
    threads = client.nthreads()
    return Cluster(client=client, address=str(client.scheduler.address), workers=len(threads),
                   threads=int(sum(threads.values())), dashboard=_dashboard(client), local=local,
                   warnings=warnings)


def _dashboard(client: Any) -> str | None:
    """The dashboard's link when it answers (a scheduler without bokeh serves no /status page)."""
    import urllib.request

    try:
        link = str(client.dashboard_link)
        with urllib.request.urlopen(link, timeout=2) as resp:
            return link if resp.status == 200 else None
    except Exception:  # no dashboard, or not reachable from here: the run goes on without a link
        return None


@contextlib.contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """Start the worker processes with SIGINT ignored (a child keeps an ignored signal, and Python then
    installs no KeyboardInterrupt handler): Ctrl-C in a terminal reaches the whole process group, and
    only this process should act on it, cancelling the tasks and closing the cluster in order, instead
    of every worker dying with a traceback. A Ctrl-C while the workers start is lost (a second or two)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # the app's script thread: no terminal, no Ctrl-C, and signals cannot be set from here
        return
    saved = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, saved)


def _has_bokeh() -> bool:
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def _error_text(fut: Any) -> str:
    try:
        exc = fut.exception()
    except Exception as err:  # a cancelled future has no exception to fetch
        return f"{type(err).__name__}: {err}"
    return f"{type(exc).__name__}: {exc}" if exc is not None else str(fut.status)
