"""Publishing a set of output files all or nothing.

The files are written into a staging folder beside the output folder first. A new (or empty) output
folder is then the staging folder renamed: one atomic step. Into a folder that already holds other
files, the marker file of the previous set (its summary) is removed first, the files are moved in one by
one, and the new marker comes last: whenever the marker is present, the set beside it is whole, and the
marker lists every file with its SHA-256.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .._errors import input_error


def publish_files(files: Mapping[str, bytes], out: Path, *, marker: str) -> dict[str, Path]:
    """Write ``files`` (relative names, ``/`` for sub-folders) into ``out``; ``marker`` last.

    Files of the previous set that the new one lacks (named in the old marker's ``files``) are removed.

    Raises
    ------
    InputError
        When ``out`` exists and is not a folder, or cannot be written.
    """
    if out.exists() and not out.is_dir():
        raise input_error(out, "输出位置已存在且不是文件夹", "the output path exists and is not a folder",
                          column="--out")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise input_error(out, f"无法写入输出文件夹：{exc}", f"cannot write the output folder: {exc}",
                          column="--out") from None
    try:
        for name, data in files.items():
            path = stage / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        umask = os.umask(0)
        os.umask(umask)
        stage.chmod(0o777 & ~umask)  # mkdtemp makes 0700; outputs are for sharing
        if not out.exists() or not any(out.iterdir()):
            with contextlib.suppress(FileNotFoundError):
                out.rmdir()
            os.rename(stage, out)
        else:
            _move_in(stage, out, list(files), marker)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return {name: out / name for name in files}


def _move_in(stage: Path, out: Path, names: list[str], marker: str) -> None:
    old = _listed(out / marker)
    (out / marker).unlink(missing_ok=True)
    for name in [n for n in names if n != marker] + [marker]:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / name, target)
    for name in sorted(old - set(names)):  # what the previous set had and this one has not
        (out / name).unlink(missing_ok=True)
        folder = (out / name).parent
        if folder != out:
            with contextlib.suppress(OSError):  # only when left empty
                folder.rmdir()


def _listed(marker: Path) -> set[str]:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {str(k) for k in files if isinstance(k, str) and ".." not in Path(k).parts and not Path(k).is_absolute()}
