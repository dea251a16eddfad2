"""A pause of Python's cyclic garbage collector around city-scale table work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (reference counting still frees everything not in a cycle).

    Reading 12,000 sites or writing a run's outputs makes hundreds of thousands of short-lived lists, dicts
    and tuples; the collector's passes over them took a third of the time of building them. Nothing made
    inside is a cycle that must go before the block ends (the next collection takes any).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
