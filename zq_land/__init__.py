"""zq_land: land and factory-space allocation for the planners of an industrial development zone."""

from __future__ import annotations

__version__ = "0.1.0"
