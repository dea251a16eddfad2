from __future__ import annotations

import os
import sys

from .cli import EXIT_INTERRUPTED, EXIT_TERMINATED, main

code = main()
if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
    # A solver thread abandoned inside HiGHS would make the interpreter's exit abort ("terminate called
    # without an active exception", exit 134): leave at once, the outputs being whole or absent already.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
sys.exit(code)
