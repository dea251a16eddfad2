from __future__ import annotations

import atexit
import os
import sys
import threading

#: Commands that use nothing of pyarrow. pandas imports it whenever it is installed (Streamlit needs it, so it
#: always is): 0.11-0.16 s of every such command's start-up, refused here before pandas is imported. Only in
#: this process, the one ``python -m zq_land`` starts (not for callers of ``main``, nor the sweeps' workers).
NO_PYARROW: frozenset[str] = frozenset({"solve", "validate", "compare"})

if len(sys.argv) > 1 and sys.argv[1] in NO_PYARROW and "pyarrow" not in sys.modules:
    sys.modules["pyarrow"] = None  # type: ignore[assignment]  # "import pyarrow" raises ImportError

from .cli import EXIT_INTERRUPTED, EXIT_TERMINATED, main  # noqa: E402


def _leave(code: int) -> None:
    """End the process with ``code`` once everything it wrote has left it, without the interpreter's teardown.

    By now every output is written and closed (``write_outputs`` publishes a whole set or nothing before
    ``main`` returns), so what Python's finalisation would still do is: wait for non-daemon threads, run the
    ``atexit`` handlers, flush stdout and stderr, then free every module and object. Freeing pandas, GeoPandas,
    PROJ, HiGHS and their objects one by one takes about 0.2 s that nothing needs (the operating system takes
    the memory back at once); the first three steps are kept: with a non-daemon thread still running (a
    library's worker) the ordinary exit runs instead, and the ``atexit`` handlers (a solver abandoned past
    its limit is waited for there, coverage saves its data) run as they would.
    """
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        # A solver thread abandoned inside HiGHS would make the interpreter's exit abort ("terminate called
        # without an active exception", exit 134): leave at once, the outputs being whole or absent already.
        _flush()
        os._exit(code)
    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    if not _flush():
        sys.exit(code)  # stdout or stderr could not be written (a closed pipe): the ordinary exit reports it
    os._exit(code)


def _flush() -> bool:
    ok = True
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            ok = False
    return ok


_leave(main())
