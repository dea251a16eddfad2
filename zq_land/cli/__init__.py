"""Command line: ``python -m zq_land COMMAND``, one module of this package per command.

Exit codes: 0 success (warnings allowed), 2 bad input or usage (a message, never a traceback),
1 anything else (a one-line message; set ``ZQ_LAND_DEBUG=1`` for the traceback).

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
import importlib
import keyword
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .. import ValidationReport

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

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
    try:
        return func(args)
    except InputError as exc:
        print(format_report(exc.report, getattr(args, "msg_lang", getattr(args, "lang", "both"))))
        print(verdict(exc.report))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        if os.environ.get("ZQ_LAND_DEBUG") == "1":
            raise
        print(
            f"内部错误 / internal error: {type(exc).__name__}: {exc} (set ZQ_LAND_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


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
