"""A result's tables as people read them: the columns each export shows, coded values in words, headers
in the language asked (Chinese by default).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..engine.results import AllocationResult, kpi_rows
from ..i18n import scenario_label, solver_label, t
from ..text import CODE_NAMES, KPI_LABELS, LABELS, STATUS_WORDS, UNITS, Text, code_label, headers

ASSIGNMENT_COLUMNS = [
    "project_id", "name", "site_id", "site_name", "status", "reason", "industry", "mode", "anchor",
    "investment_yi", "land_need_mu", "floor_need_m2", "site_kind", "zone", "used_mu", "used_m2",
    "intensity_wan_per_mu", "distance_km", "locked", "review_meeting",
    # 亩均, present when the projects carry figures (engine/efficiency.py)
    "output_wan", "tax_wan", "jobs", "space_mu", "invest_wan_per_mu", "output_wan_per_mu", "tax_wan_per_mu",
    "jobs_per_mu", "grade",
]

SITE_USE_COLUMNS = [
    "site_id", "name", "kind", "status", "zone", "unit", "capacity", "used", "free", "utilisation",
    "n_projects", "investment_yi", "intensity_wan_per_mu", "projects", "shadow_price",
    # 亩均, present when the projects or the sites carry figures
    "firm_output_wan", "firm_tax_wan", "output_wan", "tax_wan", "jobs", "space_mu", "invest_wan_per_mu",
    "output_wan_per_mu", "tax_wan_per_mu", "jobs_per_mu", "grade", "candidate",
]
#: The columns of the 亩均 tables: per industry, and the D-grade sites (revitalization candidates).
EFFICIENCY_COLUMNS = ["output_placed_wan", "tax_placed_wan", "jobs_placed", "space_placed_mu", "invest_wan_per_mu",
                      "output_wan_per_mu", "tax_wan_per_mu", "jobs_per_mu"]
CANDIDATE_COLUMNS = ["site_id", "name", "kind", "status", "zone", "space_mu", "n_projects", "tax_wan",
                     "output_wan", "tax_wan_per_mu", "output_wan_per_mu", "grade", "projects"]

UNPLACED_COLUMNS = ["project_id", "name", "industry", "mode", "investment_yi", "land_need_mu",
                    "floor_need_m2", "status", "reason_code", "reason"]

#: Text cells a spreadsheet program would take as a formula (or a DDE command) when they start so.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
#: Characters a workbook cannot hold (openpyxl's IllegalCharacterError): C0 controls but tab, LF, CR.
_ILLEGAL_RE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_ILLEGAL = re.compile(_ILLEGAL_RE)
_FORMULA_STARTS = frozenset(FORMULA_START)


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells every spreadsheet program shows as text.

    A cell starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe (OWASP's
    advice for CSV injection: ``=HYPERLINK(...)`` in a project name must not become a live formula in
    Excel or WPS), and characters no workbook can hold are removed. Numbers are left as numbers.
    """
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == object:
            # cell by cell in Python: the frames are short and wide, and pandas' string methods cost ~1 ms a
            # column before they look at a cell (a run's outputs pass ~60 columns through here)
            values = s.tolist()
            strs = [v for v in values if isinstance(v, str)]
            if strs and not _plain_and_safe(strs):
                out[c] = pd.Series([_safe_text(v) if isinstance(v, str) else v for v in values], index=s.index,
                                   dtype=object)
            continue
        if not pd.api.types.is_string_dtype(s):
            continue
        values = s.tolist()
        strs = [v for v in values if isinstance(v, str)]
        if not strs:
            continue
        if _plain_and_safe(strs):
            continue  # nothing to escape or remove (the usual case, and fast at city scale)
        text = pd.Series([isinstance(v, str) for v in values], index=s.index)
        t = s[text].astype(str).str.replace(_ILLEGAL_RE, "", regex=True)
        risky = t.str.contains(_FORMULA_RE, regex=True)
        t = t.where(~risky, "'" + t)
        out[c] = s.where(~text, t)
    return out


_ILLEGAL = re.compile(_ILLEGAL_RE)
_FORMULA = re.compile(_FORMULA_RE)


def _plain_and_safe(strs: list[str]) -> bool:
    """Whether :func:`_safe_text` would leave each of ``strs`` as it is: plain ``str`` (not a subclass, which
    it turns into one), none starting like a formula, no character a workbook cannot hold."""
    return (all(type(v) is str for v in strs) and not _FORMULA_STARTS.intersection([v[:1] for v in strs])
            and _ILLEGAL.search("".join(strs)) is None)


def _safe_text(value: str) -> str:
    """One text cell as :func:`spreadsheet_safe` writes it."""
    text = _ILLEGAL.sub("", str(value))
    return "'" + text if _FORMULA.search(text) else text


def unescape_cell(text: str) -> str:
    """The text :func:`spreadsheet_safe` escaped, as it was (for reading an exported CSV back)."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START else text


def assignment_frame(result: AllocationResult, *, lang: str, codes: bool = True) -> pd.DataFrame:
    """The assignment table; ``codes=False`` keeps the contract's coded values (placed, land, ...)."""
    df = result.assignments.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    cols = [c for c in ASSIGNMENT_COLUMNS if c in df.columns]
    if lang == "zh" and codes:
        df = translate_codes(df)
    return df[cols + (["reason_en"] if lang == "zh" else [])]


def site_use_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    df = result.site_use.copy()
    df["shadow_price"] = df["shadow_price"].round(6)
    cols = [c for c in SITE_USE_COLUMNS if c in df.columns]
    # a site's name and status, not a project's (the headers say so)
    out = df[cols].rename(columns={"name": "site_name", "status": "site_status"})
    if lang == "zh":
        out = translate_codes(out)
    return out.assign(unit=out["unit"].map(lambda u: UNITS[u].pick(lang) if u in UNITS else u))


def unplaced_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    df = result.unplaced.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    out = df[[c for c in UNPLACED_COLUMNS if c in df.columns]]
    return translate_codes(out) if lang == "zh" else out


def kpi_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    """The KPIs as a two-column sheet, each at a sensible precision: counts whole, the share in % (its label
    says so), 亿元 to 0.01, mu and km to 0.1, m2 whole."""
    heads = [LABELS["kpi"].header(lang), LABELS["value"].header(lang)]
    rows = []
    for key, (label, value) in zip([k for k in KPI_LABELS if k in result.kpis], kpi_rows(result.kpis, lang),
                                   strict=True):
        rows.append(_kpi_row(key, label, value, lang))
    return pd.DataFrame(rows, columns=heads)


#: Decimals of a KPI by the unit its key ends with; a key with none of these is a count.
_KPI_DIGITS = (("_yi", 2), ("_mu", 1), ("_m2", 0), ("_km", 1), ("_wan_per_mu", 1))


def _kpi_row(key: str, label: str, value: object, lang: str) -> tuple[str, object]:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return label, value
    if f != f:  # NaN: no figure
        return label, None
    if key.endswith("_share"):
        return label + ("（%）" if lang == "zh" else " (%)"), round(100.0 * f, 1)
    digits = next((d for suffix, d in _KPI_DIGITS if key.endswith(suffix)), None)
    if digits is None:
        return label, round(f)
    return label, round(f, digits) if digits else round(f)


def efficiency_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame | None:
    """The plan's 亩均 figures per industry and overall (None without figures), headers in ``lang``."""
    by = result.kpis.get("efficiency_by_industry")
    if not by:
        return None
    rows = [{"industry": code_label("industry", k, lang), **{c: v.get(c) for c in EFFICIENCY_COLUMNS}}
            for k, v in by.items()]
    total = Text("合计", "Total").pick(lang)
    rows.append({"industry": total, **{c: result.kpis.get(c) for c in EFFICIENCY_COLUMNS}})
    df = pd.DataFrame(rows, columns=["industry", *EFFICIENCY_COLUMNS])
    names: dict[object, str] = {**headers(["industry"], lang),
                                **{c: KPI_LABELS[c].header(lang) for c in EFFICIENCY_COLUMNS}}
    return df.rename(columns=names)


def candidates_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame | None:
    """The D-grade sites (revitalization candidates), lowest per-mu figure first; None without grading."""
    su = result.site_use
    if "candidate" not in su.columns:
        return None
    on = "tax_wan_per_mu" if result.scenario.policy.grade_by == "tax" else "output_wan_per_mu"
    df = su.loc[su["candidate"], [c for c in CANDIDATE_COLUMNS if c in su.columns]].sort_values([on, "site_id"])
    df = df.rename(columns={"name": "site_name", "status": "site_status", "kind": "site_kind"})
    if lang == "zh":
        df = translate_codes(df)
    return labelled(df.reset_index(drop=True), lang, name="site_name")


def solver_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    r = result.solve
    # plain words for the optimiser's figures (a review meeting reads this sheet); the codes stay in summary.json
    try:
        status = t(f"solve.{r.status}", lang)
    except KeyError:
        status = str(r.status)
    items = [
        (Text("情景", "Scenario"), scenario_label(result.scenario.name, lang)),
        (Text("求解状态", "Status"), status),
        (Text("计算程序", "Optimisation program"), solver_label(r.solver, lang)),
        (Text("方案得分（亿元当量）", "Plan score (100M yuan equivalent)"), r.objective),
        (Text("理论最高得分（亿元当量）", "Best possible score (100M yuan equivalent)"), r.bound),
        (Text("与理论最高得分的差距", "Shortfall from the best possible"), r.gap),
        (Text("快速初排方案的得分", "Score of the quick first plan"), r.greedy_objective),
        (Text("理论最高得分的估算（允许项目拆分）", "Best possible score, estimated (projects divisible)"), r.lp_bound),
        (Text("同上，不含容量组合限制", "The same, without the capacity packing limits"), r.lp_bound_plain),
        (Text("理论最高得分的估算（按地块整体装填）", "Best possible score, estimated (whole fillings of each site)"),
         r.pattern_bound),
        (Text("计算用时（秒）", "Computing time (s)"), round(float(r.solve_seconds), 3)),
        (Text("说明", "Message"), r.message.pick(lang)),
        *((Text("过程记录", "Note"), note.pick(lang)) for note in r.fallback_notes),
        *_settings_items(result),
    ]
    item, value = Text("项目", "Item").pick(lang), LABELS["value"].header(lang)
    return pd.DataFrame([{item: label.pick(lang), value: v} for label, v in items])


def _settings_items(result: AllocationResult) -> list[tuple[Text, Any]]:
    """What the run was asked: weights, policy, locks, forbids, exclusions, reference, time limit, versions."""
    from .audit import versions

    sc = result.scenario
    w, p = sc.weights, sc.policy
    items: list[tuple[Text, Any]] = [
        (Text(f"权重：{k}", f"Weight: {k}"), getattr(w, k))
        for k in ("investment", "projects", "revitalization", "proximity", "priority")
    ]
    items += [
        (Text("可用地比例", "Usable land ratio"), p.usable_land_ratio),
        (Text("默认投资强度下限(万元/亩)", "Default intensity floor (万元/mu)"),
         "" if p.default_min_invest_wan_per_mu is None else p.default_min_invest_wan_per_mu),
        (Text("评估日期", "As of"), "" if p.as_of is None else p.as_of.isoformat()),
        (Text("配套距离基准(公里)", "Proximity reference (km)"), p.proximity_reference_km),
        (Text("地块容量面积来源", "Area source of plot capacity"), p.area_source),
        (Text("锁定", "Locks"), "; ".join(f"{a} -> {b}" for a, b in sc.locks)),
        (Text("禁止组合", "Forbidden pairs"), "; ".join(f"{a} -x- {b}" for a, b in sc.forbid)),
        (Text("排除地块", "Excluded sites"), "; ".join(sorted(sc.exclude_sites))),
        (Text("排除项目", "Excluded projects"), "; ".join(sorted(sc.exclude_projects))),
        (Text("时间上限(秒)", "Time limit (s)"), sc.solver.time_limit_s),
        (Text("相对间隙要求", "MIP gap asked"), sc.solver.mip_gap),
    ]
    kept, moved = result.kept_and_moved
    ref = result.inputs.get("reference", {})
    if result.reference is not None:
        items += [
            (Text("参考方案", "Reference plan"), ref.get("path", "(given)")),
            (Text("参考方案 SHA-256", "Reference SHA-256"), ref.get("sha256", "")),
            (Text("允许损失比例", "Max loss share"), sc.stability.max_loss_share),
            (Text("保留参考方案项目数", "Kept vs reference"), kept),
            (Text("调整参考方案项目数", "Moved vs reference"), moved),
        ]
    for key, fp in result.inputs.items():
        if key != "reference":
            items.append((Text(f"输入 {key} SHA-256", f"Input {key} SHA-256"), fp.get("sha256", "")))
    items += [(Text(f"版本：{k}", f"Version: {k}"), v) for k, v in versions().items()]
    return items


def warnings_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    """The 数据问题 sheet: every warning of the readers and the run, one per row (empty: a row saying so)."""
    col = Text("数据问题", "Data issue").pick(lang)
    rows = [_one_language(w, lang) for w in result.warnings] or [Text("无", "none").pick(lang)]
    return pd.DataFrame({Text("序号", "No.").pick(lang): range(1, len(rows) + 1), col: rows})


def moves_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    """The moves against the reference plan, with what each buys, headers in ``lang``."""
    assert result.moves is not None
    m = result.moves
    zh = lang == "zh"
    return pd.DataFrame({
        Text("项目编号", "Project ID").pick(lang): m["project_id"],
        Text("项目名称", "Project").pick(lang): m["name"],
        Text("参考方案地块", "Reference site").pick(lang): m["reference_site_id"],
        Text("本次地块", "Site now").pick(lang): m["site_id"],
        Text("变化", "Change").pick(lang): [STATUS_WORDS[c].pick(lang) if c in STATUS_WORDS else c
                                           for c in m["change"]],
        Text("调整带来", "What the move buys").pick(lang): m["buys_zh"] if zh else m["buys_en"],
    })


def _one_language(text: str, lang: str) -> str:
    """A ``zh | en`` warning in one language (the tag and place kept)."""
    if " | " not in text:
        return text
    zh, _, en = text.partition(" | ")
    if lang == "zh":
        return zh
    where = zh.partition(": ")[0]
    return f"{where}: {en}" if ": " in zh else en


def translate_codes(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``df`` with its coded columns in words (:func:`zq_land.text.code_label`) and ``locked`` as 是."""
    df = df.copy()
    for col in CODE_NAMES:
        if col in df.columns:
            df[col] = df[col].map(lambda v, c=col: code_label(c, v, lang) if isinstance(v, str) else v)
    for flag in ("locked", "candidate"):
        if flag in df.columns and lang != "en":
            df[flag] = df[flag].map({True: "是", False: ""})
    return df


def labelled(df: pd.DataFrame, lang: str, *, name: str = "project_name", codes: Iterable[str] = ()) -> pd.DataFrame:
    """``df`` as shown: the ``codes`` columns in words (:func:`zq_land.text.code_label`) and the headers of
    :data:`zq_land.text.LABELS` in ``lang``; its ``name`` column is the project's name unless ``name``
    says otherwise (``"site_name"``)."""
    out = df.copy() if codes else df
    for col in codes:
        if col in out.columns:
            out[col] = out[col].map(lambda v, c=col: code_label(c, v, lang))
    if "name" in out.columns:
        out = out.rename(columns={"name": name})
    return out.rename(columns=headers(out.columns, lang))
