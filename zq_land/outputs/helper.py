"""A helper process that renders a command's workbook and map while the command reads and solves.

``python -m zq_land solve`` forks it once pandas and GeoPandas are loaded (Linux only, before any thread of its
own exists): on the second core it loads what ``assignments.xlsx`` and ``map.html`` need (openpyxl's writer and
Folium, which compiles its templates at import, and the files every map inlines: :func:`zq_land.prepare_outputs`), then
waits. Once the plan is made, the command sends it the result (pickled over a pipe) and writes its other files
while the helper renders those two; their bytes come back the same way and join the one all-or-nothing set
(:func:`zq_land.outputs.files.write_outputs`). The command itself then never loads openpyxl or Folium: on the
2022 sample, whose plan takes 0.1 s, that is 0.3 s no solver could hide; at 4,000 x 12,000 the workbook and the
map (1 s) are rendered beside the GeoJSON and the CSV.

The helper writes nothing itself and prints nothing; whatever goes wrong in it (it fails, is killed, is
slow, its answer does not arrive whole) the command renders the two files in its own process as before, so
the outputs never depend on it. The same function renders them either way (:func:`render`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import sys
import time
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ..engine.results import AllocationResult

_log = logging.getLogger(__name__)

#: The files the helper renders.
RENDERED: Final = ("assignments.xlsx", "map.html")
#: Seconds the command waits for the helper's answer before it renders the two files itself.
WAIT_S: Final = 60.0


def render(result: AllocationResult, lang: str) -> dict[str, bytes]:
    """``assignments.xlsx`` and ``map.html`` of ``result`` (name -> bytes), as ``write_outputs`` renders them."""
    from .maps import result_map, standalone_html
    from .workbook import workbook_bytes

    html = standalone_html(result_map(result, lang=lang, show_supplier_lines=True))
    return {"assignments.xlsx": workbook_bytes(result, lang=lang), "map.html": html.encode("utf-8")}


def _warm() -> None:
    from .files import prepare_outputs

    prepare_outputs()  # what the command would otherwise load beside HiGHS


class OutputHelper:
    """The helper process: :meth:`start` forks it, :meth:`send` hands it a result, :meth:`collect` takes the
    two files back, :meth:`close` ends it (any time: the command then renders them itself)."""

    def __init__(self, pid: int, to_child: int, from_child: int) -> None:
        self.pid, self._to, self._from = pid, to_child, from_child

    @classmethod
    def start(cls) -> OutputHelper | None:
        """Fork the helper; None where there is no ``fork`` (not Linux), where this process already runs other
        threads (one of them could hold a lock the helper would then wait for forever), or when it fails."""
        import gc
        import threading

        if not sys.platform.startswith("linux") or threading.active_count() > 1:
            return None

        try:
            r1, w1 = os.pipe()
            r2, w2 = os.pipe()
            # the objects loaded so far (modules, mostly) out of the collector's passes: a pass writes to every
            # object it visits, so each page of them would be copied into both processes (fork shares them)
            gc.freeze()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the helper: never returns
            code = 1
            try:
                os.close(w1)
                os.close(r2)
                _serve(r1, w2)
                code = 0
            finally:
                os._exit(code)
        os.close(r1)
        os.close(w2)
        return cls(pid, w1, r2)

    def send(self, result: AllocationResult, lang: str) -> bool:
        """Hand the helper ``result`` to render in ``lang``; False (and the helper ended) when that fails."""
        try:
            payload = pickle.dumps((result, lang), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(self._to, "wb", closefd=True) as out:
                self._to = -1
                out.write(payload)
        except Exception:  # a result that does not pickle, a helper gone: render here
            self.close()
            return False
        return True

    def collect(self, *, wait_s: float = WAIT_S) -> dict[str, bytes] | None:
        """The two files the helper rendered (name -> bytes), or None when it gave no whole answer in time."""
        try:
            data = _read_all(self._from, time.monotonic() + wait_s) if self._from >= 0 else None
            answer = pickle.loads(data) if data else None
        except Exception:  # any failure of the helper: the command renders itself
            answer = None
        finally:
            self.close()
        if (not isinstance(answer, dict) or set(answer) != set(RENDERED)
                or not all(isinstance(v, bytes) and v for v in answer.values())):
            _log.debug("the output helper gave no answer: the workbook and the map are rendered here")
            return None
        _log.debug("the output helper rendered the workbook and the map")
        return answer

    def close(self) -> None:
        """End the helper (if still running) and reap it."""
        for fd in (self._to, self._from):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._to = self._from = -1
        if self.pid:
            with contextlib.suppress(OSError):
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if not done:
                    os.kill(self.pid, 9)
                    os.waitpid(self.pid, 0)
            self.pid = 0


def _read_all(fd: int, until: float) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _serve(inp: int, out: int) -> None:
    """In the helper: load the libraries, wait for the result, render it, answer (or answer nothing)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's business; it ends the helper
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the helper prints nothing, a library's warning included
    os.dup2(devnull, 2)
    import threading

    received: list[bytes] = []

    def receive() -> None:  # beside the warming up: the command's write never waits for it (a pipe holds 64 kB)
        with os.fdopen(inp, "rb") as f:
            received.append(f.read())  # b"" when the command ended without a plan: nothing to do

    reader = threading.Thread(target=receive, daemon=True)
    reader.start()
    with contextlib.suppress(Exception):
        _warm()
    reader.join()
    data = received[0] if received else b""
    if not data:
        return
    result, lang = pickle.loads(data)
    answer: Any = render(result, lang)
    blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    with os.fdopen(out, "wb") as f:
        f.write(blob)
