"""Interim plans of a solve under way, for a caller in another thread (issue 18: the app answers "run" within
a second with the best plan found so far, its gap to a real bound stated, then shows the proven plan).

The solve offers plans as it finds them (the start plan once the LP bound is known, then each improving plan of
HiGHS's MIP, read by HiGHS's own callback). Offering is cheap: the plan's pairs and its objective are kept, under a
lock, and nothing else is done in the solver's thread. A caller (the app's page, in its own thread) asks for
:meth:`Progress.latest`, which turns the best plan offered into a result, in the caller's thread, and only while
the solver is inside HiGHS (which releases the interpreter and touches none of the tables): the solve's own
Python code never meets a half-read table. Listening changes nothing in the solve: HiGHS's callbacks observe,
and the same inputs give the same final plan (``tests/test_interim.py``).

An interim result is never final: its status is ``feasible`` at best, its message says that the solver is still
at work, and :attr:`~zq_land.engine.results.AllocationResult.interim` is set, so that no caller keeps it, saves
it or exports it in place of the solve's own result.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..text import Text

#: The interim plan's message (the gap to the bound follows)
INTERIM = Text("临时方案：求解器仍在证明最优", "an interim plan: the solver is still proving the optimum")


class Progress:
    """The best plan a solve under way has found, and a way to see it as a result while the solve goes on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the plan offered (held for a moment: HiGHS's callback waits on it)
        self._reading = threading.Lock()  # an interim result being made: the solve leaves HiGHS after it
        self._chosen: np.ndarray | None = None
        self._value = -math.inf
        self._version = 0
        self._inside = 0  # > 0 while the solver thread waits on HiGHS: the tables are free to read
        self._closed = False
        self._make: Callable[[np.ndarray], Any] | None = None
        self._wrap: Callable[[Any], Any] | None = None
        self._built: tuple[int, Any] | None = None
        #: When the solve began (``time.monotonic()``; set by ``allocate``): a caller's wait counts from it
        self.started: float | None = None
        #: Set by :meth:`cancel`: the solve's HiGHS MIPs stop at their next check (``solvers.run_highs``)
        self.stop = threading.Event()

    # --- the solve's side ------------------------------------------------------------------------

    def attach(self, make: Callable[[np.ndarray], Any]) -> None:
        """How a plan's pairs become a plan (the pipeline: its report against the bound known)."""
        with self._lock:
            self._make = make

    def wrap(self, wrap: Callable[[Any], Any]) -> None:
        """How that plan becomes what the caller shows (``allocate``: an :class:`AllocationResult`)."""
        with self._lock:
            self._wrap = wrap

    def offer(self, chosen: np.ndarray, value: float) -> None:
        """A plan (its pairs' indices) of objective ``value``: kept when it is better than the best so far."""
        with self._lock:
            if self._closed or not value > self._value + 1e-12:
                return
            self._chosen, self._value = np.array(chosen, dtype=np.int64), float(value)
            self._version += 1

    @contextlib.contextmanager
    def solving(self) -> Iterator[None]:
        """The block in which the solve's thread only waits on HiGHS: interim results may be made meanwhile."""
        with self._lock:
            self._inside += 1
        try:
            yield
        finally:
            # waits for an interim result being made: the solve goes on with its tables alone
            with self._reading, self._lock:
                self._inside -= 1

    def cancel(self) -> None:
        """Ask the solve to stop soon (nobody waits for its result): its MIPs end at their next check, and what it
        then returns is a plan cut short, never a proof (``time_limit`` at best)."""
        self.stop.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self.stop.is_set()

    def close(self) -> None:
        """The solve is finishing: no more plans are offered or made."""
        with self._lock:
            self._closed = True

    # --- the caller's side -----------------------------------------------------------------------

    @property
    def value(self) -> float:
        """The objective of the best plan offered (-inf before the first)."""
        with self._lock:
            return self._value

    def latest(self) -> Any | None:
        """The best plan offered, as a result: made now when it is new and the solver is inside HiGHS, else the
        last one made (None before the first)."""
        with self._reading:
            with self._lock:
                built, version, chosen, make, wrap = self._built, self._version, self._chosen, self._make, self._wrap
                ready = self._inside > 0 and not self._closed and chosen is not None and make is not None
            if (built is None or built[0] != version) and ready and chosen is not None and make is not None:
                out = make(chosen)
                if wrap is not None:
                    out = wrap(out)
                built = self._built = (version, out)
            return None if built is None else built[1]
