"""The layering of ``docs/ARCHITECTURE.md``, checked on the source (every import, also inside functions).

* the core (``zq_land/``) never imports Streamlit or the app's ``ui`` package;
* a module of the core imports only its own layer or lower ones (the table below);
* the command line and the app use the tool only through its public API (``zq_land.__all__``), besides
  their own modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import zq_land

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "zq_land"
#: Layers from the bottom; a module may import its own layer and those listed before it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("zq_land._errors", "zq_land._gc", "zq_land.text", "zq_land.vocab", "zq_land.geo", "zq_land.scenario",
              "zq_land.i18n", "zq_land.sample")),
    ("rules", ("zq_land.engine.rules",)),
    ("io", ("zq_land.io",)),
    ("engine", ("zq_land.engine",)),
    ("outputs", ("zq_land.outputs",)),
    ("store, studies", ("zq_land.store", "zq_land.studies")),
    ("cli", ("zq_land.cli",)),
)
NEVER_IN_CORE = ("streamlit", "streamlit_folium", "ui")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(line, absolute module imported, names taken from it) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module, tuple(a.name for a in node.names)


def _layer(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer): the longest prefix decides
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), rank)
    return None if best is None else best[1]


def _core_files() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if p.name != "__main__.py")


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_downwards_only(path: Path) -> None:
    me = _module_name(path)
    if me == "zq_land":
        return  # the public API: it names everything (lazily)
    mine = _layer(me)
    assert mine is not None, f"{me} belongs to no layer of LAYERS (add it, and to docs/ARCHITECTURE.md)"
    bad = []
    for line, module, names in _imports(path):
        top = module.split(".")[0]
        if top in NEVER_IN_CORE:
            bad.append(f"line {line}: imports {module} (the core never imports the app or Streamlit)")
            continue
        if top != "zq_land":
            continue
        targets = [module] if module != "zq_land" else [f"zq_land.{n}" for n in names]
        for target in targets:
            if target == "zq_land.__version__" or (module == "zq_land" and LAYERS[mine][0] == "cli"):
                continue  # the command line uses the public API
            theirs = _layer(target)
            if theirs is None or theirs > mine:
                where = "no layer" if theirs is None else f"layer {LAYERS[theirs][0]}"
                bad.append(f"line {line}: {me} ({LAYERS[mine][0]}) imports {target} ({where})")
    assert not bad, "\n".join(bad)


def _outer_files() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]


@pytest.mark.parametrize("path", [*_outer_files(), *sorted((CORE / "cli").glob("*.py"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_and_the_command_line_use_only_the_public_api(path: Path) -> None:
    public = set(zq_land.__all__)
    own = "zq_land.cli" if path.parent.name == "cli" else "ui"
    bad = []
    for line, module, names in _imports(path):
        if module.split(".")[0] != "zq_land" or module == own or module.startswith(own + "."):
            continue
        if module != "zq_land":
            bad.append(f"line {line}: imports {module}; use `from zq_land import ...` (the public API)")
            continue
        bad += [f"line {line}: {n} is not in zq_land.__all__" for n in names if n not in public]
    assert not bad, "\n".join(bad)


def test_every_public_name_resolves() -> None:
    for name in zq_land.__all__:
        assert getattr(zq_land, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        zq_land.nope  # noqa: B018


def test_the_package_ships_its_subpackages_and_data() -> None:
    """pyproject's setuptools settings take every subpackage and every data file (sample, map.js) the package
    reads through importlib.resources (a wheel built with `pip wheel .` holds them)."""
    import fnmatch
    import tomllib

    from setuptools import find_packages

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = set(find_packages(where=str(ROOT), include=conf["packages"]["find"]["include"]))
    packages = {_module_name(p) for p in CORE.rglob("__init__.py")}
    assert packages <= found, sorted(packages - found)
    globs = conf["package-data"]["zq_land"]
    data = [p.relative_to(CORE).as_posix() for p in [*(CORE / "data").rglob("*"), *CORE.rglob("*.js")] if p.is_file()]
    assert data and all(any(fnmatch.fnmatch(f, g) for g in globs) for f in data), data
