"""Command line: ``python -m zq_land COMMAND``, one module of this package per command.

Exit codes: 0 success (warnings allowed), 2 bad input or usage (a message, never a traceback),
130 Ctrl-C and 143 SIGTERM (nothing half-written), 1 anything else (a one-line message; set
``ZQ_LAND_DEBUG=1`` for the traceback).

Adding a command ``NAME``: write ``zq_land/cli/NAME.py`` (``NAME_.py`` when the name is a Python keyword,
as ``import_.py``) with ``add_parser(sub)``, which adds the sub-parser and sets ``func`` (``args -> exit
code``), and add ``"NAME"`` to :data:`COMMANDS` (one line).
A command module imports the tool only through the public API (``from .. import allocate``), inside
its functions: ``python -m zq_land --help`` then loads no pandas, and a test checks that import rule.
A command raises :class:`~zq_land.InputError` for bad input; :func:`main` prints it and exits 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import keyword
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .. import ValidationReport

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM

#: The commands in the order ``--help`` lists them: each is the module ``zq_land.cli.<name>`` (``<name>_``
#: for a keyword).
COMMANDS: Final[tuple[str, ...]] = (
    "validate",
    "solve",
    "compare",
    "runs",
    "decisions",
    "import",
    "report",
    "sweep",
    "pareto",
    "timeline",
    "replay",
)

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``python -m zq_land`` exits with it)."""
    from .. import InputError

    started = time.monotonic()  # a solve's time limit counts from here (imports and reading included)
    _utf8_console()
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 (argparse)
    args.started = started
    func: Command | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    previous = _sigterm_as_interrupt()
    try:
        return func(args)
    except InputError as exc:
        print(format_report(exc.report, getattr(args, "msg_lang", getattr(args, "lang", "both"))))
        print(verdict(exc.report))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        # No partial outputs: write_outputs publishes a whole set or nothing (``__main__`` then leaves
        # without waiting for a solver thread still inside HiGHS).
        print("已中断，未写出任何结果 / interrupted; no outputs were written", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, _Terminated) else EXIT_INTERRUPTED
    except RecursionError:
        print("错误 ERROR: 输入嵌套过深，无法读取 / the input is nested too deeply to read", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        if exc.errno not in _USER_ERRNOS:
            return _internal_error(exc)
        where = exc.filename if exc.filename is not None else "?"
        print(f"[错误 ERROR] {str(where)[:300]}: 无法使用该路径（{exc.strerror}）/ cannot use this path "
              f"({exc.strerror})", file=sys.stderr)
        print("不可用 REFUSED: 1 个错误 errors — 请修正后重试 / fix and retry")
        return EXIT_BAD_INPUT
    except Exception as exc:
        return _internal_error(exc)
    finally:
        _restore_sigterm(previous)


def _internal_error(exc: BaseException) -> int:
    if os.environ.get("ZQ_LAND_DEBUG") == "1":
        raise exc
    print(
        f"内部错误 / internal error: {type(exc).__name__}: {exc} (set ZQ_LAND_DEBUG=1 for the traceback)",
        file=sys.stderr,
    )
    return EXIT_FAILURE


#: OS errors that come from the paths a user gave (too long, beneath a file, a folder for a file, missing).
_USER_ERRNOS = {errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EACCES, errno.EPERM,
                errno.ELOOP, errno.EEXIST}


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C so that every ``finally`` runs."""


def _sigterm_as_interrupt() -> object:
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum: int, frame: object) -> None:
        raise _Terminated()

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(previous: object) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="python -m zq_land",
        description="Land and factory-space allocation for Zhaoqing High-tech Zone / "
        "肇庆高新区用地与厂房配置",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = f"{name}_" if keyword.iskeyword(name) else name
        importlib.import_module(f"{__name__}.{module}").add_parser(sub)
    return parser


def format_report(report: ValidationReport, lang: str) -> str:
    """Every problem of ``report`` on its own line, errors first, in ``lang`` (``zh``, ``en``, ``both``)."""
    lines = []
    for p in sorted(report.problems, key=lambda p: (p.severity != "error", p.file, p.row or 0)):
        lines.append(p.text(lang))
    return "\n".join(lines)


def verdict(report: ValidationReport) -> str:
    """The last line of a check: usable or refused, with the counts."""
    n_err, n_warn = len(report.errors), len(report.warnings)
    if report.ok:
        return f"可用 USABLE: 0 个错误 errors, {n_warn} 个警告 warnings"
    return f"不可用 REFUSED: {n_err} 个错误 errors, {n_warn} 个警告 warnings — 请修正后重试 / fix and retry"


def _utf8_console() -> None:
    # Chinese messages must not crash a console with a legacy code page.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
