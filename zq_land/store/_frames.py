"""Tables to rows and back, exactly: the typed columns, an ``extra`` JSON per row for any other column,
and a record of the column order, dtypes and ``attrs`` so that a table read back equals the one saved
(``runs export`` then writes the very bytes ``solve`` wrote).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


def frame_record(df: pd.DataFrame, *, geometry: str | None = None) -> dict[str, Any]:
    """Column order, dtypes and ``attrs`` of ``df`` (JSON-ready)."""
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items() if str(c) != geometry},
        "geometry": geometry,
        "attrs": json_safe(dict(df.attrs)),
    }


def frame_rows(df: pd.DataFrame, typed: Sequence[tuple[str, str]], *, geometry: str | None = None,
               **fixed: Any) -> list[dict[str, Any]]:
    """One dict per row: ``pos``, the typed columns present, ``extra`` (the other columns) and ``fixed``."""
    names = [n for n, _ in typed if n in df.columns]
    kinds = dict(typed)
    cols: dict[str, list[Any]] = {n: _column_values(df[n], kinds[n]) for n in names}
    others = [str(c) for c in df.columns if c not in kinds and str(c) != geometry]
    extras = [[json_safe(v) for v in _column_values(df[c], "any")] for c in others]
    rows: list[dict[str, Any]] = []
    for i in range(len(df)):
        row = {n: cols[n][i] for n in names}
        row["pos"] = i
        row["extra"] = {c: extras[j][i] for j, c in enumerate(others)} if others else None
        row.update(fixed)
        rows.append(row)
    return rows


def frame_from_rows(rows: Sequence[Mapping[Any, Any]], record: Mapping[Any, Any],
                    typed: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The table of ``rows`` (sorted by ``pos``) with the columns, dtypes and attrs of ``record``."""
    rows = sorted(rows, key=lambda r: r["pos"])
    kinds = dict(typed)
    data: dict[str, Any] = {}
    for col in record["columns"]:
        if col == record.get("geometry"):
            continue
        values = [r[col] for r in rows] if col in kinds else [(r["extra"] or {}).get(col) for r in rows]
        data[col] = _restore(values, record["dtypes"][col])
    df = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    df.attrs.update(record.get("attrs") or {})
    return df


def json_safe(value: Any) -> Any:
    """``value`` as JSON both back ends take: numpy scalars as Python, NaN and NA as null, dates as text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _column_values(s: pd.Series, kind: str) -> list[Any]:
    """Python values of a column for the database (missing values as None)."""
    if kind == "date":
        ts = pd.to_datetime(s, errors="coerce")
        return [None if pd.isna(v) else v.date() for v in ts]
    values = s.to_numpy(dtype=object)
    out = values.tolist()
    missing = pd.isna(values)
    if missing.any():
        out = [None if m else v for v, m in zip(out, missing.tolist(), strict=True)]
    if kind == "int":
        return [None if v is None else int(v) for v in out]
    if kind == "float":
        return [None if v is None else float(v) for v in out]
    if kind == "bool":
        return [None if v is None else bool(v) for v in out]
    if kind == "text":
        return [None if v is None else str(v) for v in out]
    return [v.item() if isinstance(v, np.generic) else v for v in out]


def _restore(values: list[Any], dtype: str) -> Any:
    if dtype.startswith("datetime64"):
        return pd.to_datetime(pd.Series(values, dtype=object)).astype(dtype)
    if dtype in ("object", "str"):
        return pd.Series(values, dtype=object)
    if dtype == "float64":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    return pd.Series(values, dtype=object).astype(dtype)
