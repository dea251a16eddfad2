"""The brief as a document model: headings, paragraphs, tables, figures and a sign-off block, in one language.

:func:`build_brief` turns a :class:`~zq_land.outputs.brief.record.RunRecord` into a :class:`Brief`; the Word
writer (:mod:`zq_land.outputs.brief.word`) lays it out, and the PDF is LibreOffice's rendering of that Word file,
so both formats show the same words. Every number carries its unit, at a planner's precision: 亿元 to 2
decimals, 亩 to 1, 平方米 as integers with thousands separators, shares as per cent. Codes of the data
contract (``optimal``, ``land``, ``nev_parts``, ...) never appear: each is said in words of the brief's
language.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

import pandas as pd

from ...engine.eligibility import _scales
from ...i18n import SOLVER_WORDS, anchor_label, solver_label, t
from ...text import code_words
from ...vocab import KIND_ZH, M2_PER_MU, WAN_PER_YI
from . import figures
from .record import RunRecord
from .words import WORDS, w

Lang = Literal["zh", "en"]
Align = Literal["left", "center", "right"]


# --- the document model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 一、 2: （一）


@dataclass(frozen=True)
class Paragraph:
    text: str
    indent: bool = True  # first line indented by two characters, as body text is
    small: bool = False  # a note under a table or figure


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    align: tuple[Align, ...]
    merge: int = 0  # the first ``merge`` columns: equal cells of consecutive rows are merged vertically
    small: bool = False  # a long table in a smaller size


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    width_cm: float = 15.6


@dataclass(frozen=True)
class SignOff:
    rows: tuple[tuple[str, str, str], ...]  # (role, blank for the name, blank date)
    note: str


Block = Heading | Paragraph | Table | Figure | SignOff


@dataclass(frozen=True)
class Brief:
    lang: Lang
    title: str
    subtitle: str
    dateline: str
    blocks: tuple[Block, ...]
    properties: Mapping[str, str] = field(default_factory=dict)  # title, subject, keywords of the file


def build_brief(record: RunRecord, *, lang: Lang = "zh", today: dt.date | None = None) -> Brief:
    """The brief of a run, wholly in ``lang``."""
    b = _Builder(record, lang, today or dt.date.today())
    return b.build()


class Units:
    """Numbers with their units at a planner's precision, in one language."""

    def __init__(self, lang: str) -> None:
        self.zh = lang != "en"

    def yi(self, v: Any) -> str:
        return self._n(v, 2, "亿元", "× 100M yuan")

    def mu(self, v: Any) -> str:
        return self._n(v, 1, "亩", "mu")

    def m2(self, v: Any) -> str:
        return self._n(v, 0, "平方米", "m²")

    def km(self, v: Any, digits: int = 1) -> str:
        return self._n(v, digits, "公里", "km")

    def wan_per_mu(self, v: Any) -> str:
        return self._n(v, 1, "万元/亩", "× 10k yuan/mu")

    def wan(self, v: Any) -> str:
        return self._n(v, 1, "万元", "× 10k yuan")

    def seconds(self, v: Any) -> str:
        f = _float(v)
        return self._n(v, 0 if f is not None and f == round(f) else 1, "秒", "s")

    def share(self, v: Any, digits: int = 1) -> str:
        f = _float(v)
        return "—" if f is None else f"{100 * f:.{digits}f}%"

    def count(self, n: int, what: Literal["projects", "sites"] = "projects") -> str:
        return w(f"u.{what}", "zh" if self.zh else "en", n=f"{int(n):,}")

    def whole(self, n: Any) -> str:
        return f"{int(n):,}"

    def plain(self, v: Any, digits: int = 2) -> str:
        f = _float(v)
        return "—" if f is None else f"{f:,.{digits}f}"

    def weight(self, v: float) -> str:
        return f"{v:g}"

    def date(self, d: dt.date) -> str:
        return f"{d.year}年{d.month}月{d.day}日" if self.zh else f"{d.day} {d:%B} {d.year}"

    def _n(self, v: Any, digits: int, zh: str, en: str) -> str:
        f = _float(v)
        if f is None:
            return "—"
        return f"{f:,.{digits}f} {zh if self.zh else en}"


def scenario_title(name: str, description: str, lang: str) -> str:
    """The scenario's name as the brief shows it in ``lang``.

    A scenario named in the other language is shown by its description's part in ``lang``, when the
    description is written ``中文说明: English text`` as the sample's are; else by its name as given.
    """
    head, tail = _split_description(description)
    if lang == "en":
        return name if _LATIN.search(name) or not tail else _first_clause(tail)
    if _CJK.search(name):
        return name
    return head or name


# --- building ----------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


class _Builder:
    def __init__(self, record: RunRecord, lang: Lang, today: dt.date) -> None:
        self.r = record
        self.lang: Lang = lang
        self.u = Units(lang)
        self.today = today
        self.s = record.summary
        self.a = record.assignments
        self.placed = self.a[self.a["status"] == "placed"]
        self.sites = record.sites.set_index("site_id", drop=False)
        self.scenario_name = scenario_title(record.scenario.name, record.scenario.description, lang)
        self.numbers = _plot_numbers(self.placed, record.sites)
        self.figure_no = 0
        self.map_figure = 0

    def t(self, key: str, **fields: object) -> str:
        return w(key, self.lang, **fields)

    def table(self, heads: Sequence[str], rows: Sequence[tuple[str, ...]], widths: tuple[float, ...],
              align: str, *, merge: int = 0, small: bool = True) -> Table:
        """A table headed by the words ``heads``; ``align`` has a letter a column: l, c or r."""
        sides: dict[str, Align] = {"l": "left", "c": "center", "r": "right"}
        return Table(tuple(self.t(k) for k in heads), tuple(rows), widths, tuple(sides[a] for a in align),
                     merge=merge, small=small)

    def build(self) -> Brief:
        written = self.r.written.date() if self.r.written else None
        blocks: list[Block] = [
            *self.overview(), *self.efficiency(), *self.map(), *self.placements(), *self.unplaced(), *self.reference(),
            *self.rules(), *self.sources(), *self.warnings(), *self.signoff(),
        ]
        return Brief(
            lang=self.lang,
            title=self.t("title"),
            subtitle=self.t("subtitle", scenario=self.scenario_name),
            dateline=self.t("dateline", date=self.u.date(written or self.today)),
            blocks=tuple(blocks),
            properties={"title": self.t("title"), "subject": self.scenario_name,
                        "language": "zh-CN" if self.lang == "zh" else "en-GB"},
        )

    # sections

    def overview(self) -> list[Block]:
        s, u = self.s, self.u
        n_unplaced = int(s["projects_total"]) - int(s["projects_placed"])
        unplaced = (self.t("lead.all_placed") if n_unplaced == 0 else
                    self.t("lead.unplaced", n=u.whole(n_unplaced), inv=u.yi(
                        s["investment_total_yi"] - s["investment_placed_yi"])))
        by_kind = self._placed_by_kind()
        lead = self.t(
            "lead", scenario=self.scenario_name, total=u.whole(s["projects_total"]),
            inv_total=u.yi(s["investment_total_yi"]), placed=u.whole(s["projects_placed"]),
            inv_placed=u.yi(s["investment_placed_yi"]), share=u.share(self._share()),
            n_land=u.whole(by_kind["land"]), n_lease=u.whole(by_kind["factory"]),
            n_platform=u.whole(by_kind["platform"]), land=u.mu(s["land_placed_mu"]), floor=u.m2(s["floor_placed_m2"]),
            rev_land=u.mu(s["revitalized_land_mu"]), rev_floor=u.m2(s["revitalized_floor_m2"]),
            unplaced=unplaced, status=self.status_sentence(),
        )
        rows = [
            (self.t("k.total"), u.count(s["projects_total"])),
            (self.t("k.placed"), self.t("k.placed_detail", n=u.count(s["projects_placed"]),
                                        land=u.count(by_kind["land"]), lease=u.count(by_kind["factory"]),
                                        platform=u.count(by_kind["platform"]))),
            (self.t("k.unplaced"), u.count(n_unplaced)),
            (self.t("k.inv_total"), u.yi(s["investment_total_yi"])),
            (self.t("k.inv_placed"), self.t("k.inv_placed_value", inv=u.yi(s["investment_placed_yi"]),
                                            share=u.share(self._share()))),
            (self.t("k.land"), u.mu(s["land_placed_mu"])),
            (self.t("k.floor"), u.m2(s["floor_placed_m2"])),
            (self.t("k.rev_land"), u.mu(s["revitalized_land_mu"])),
            (self.t("k.rev_floor"), u.m2(s["revitalized_floor_m2"])),
            (self.t("k.intensity"), u.wan_per_mu(s.get("intensity_wan_per_mu"))
             if s.get("intensity_wan_per_mu") is not None else self.t("k.none")),
            (self.t("k.distance"), u.km(s.get("mean_supplier_anchor_km"))
             if s.get("mean_supplier_anchor_km") is not None else self.t("k.none")),
        ]
        if s.get("tax_wan_per_mu") is not None or s.get("output_wan_per_mu") is not None:  # 亩均, section 1.3
            rows.append((self.t("k.per_mu"), f"{u.wan_per_mu(s.get('output_wan_per_mu'))} / "
                                             f"{u.wan_per_mu(s.get('tax_wan_per_mu'))}"))
        for key, k in (("k.nev", "placed_nev"), ("k.four", "placed_four_plus_four")):
            if isinstance(s.get(k), int):
                rows.append((self.t(key), u.count(s[k])))
        if isinstance(s.get("sites_used"), int):
            rows.append((self.t("k.sites_used"), u.count(s["sites_used"], "sites")))
        rows.append((self.t("k.status"), self.status_words()))
        use_png = figures.use_chart_png(self.r.sites, self.lang)
        inv_png = figures.industry_chart_png(self.placed, self.lang, industry_label=self.industry)
        return [
            Heading(self.t("h.overview")),
            Paragraph(lead),
            Heading(self.t("h.figures"), 2),
            self.table(("fig.head", "fig.value"), rows, (0.45, 0.55), "ll", small=False),
            Heading(self.t("h.charts"), 2),
            Figure(use_png, self.t("chart.use", n=self._next_figure())),
            Figure(inv_png, self.t("chart.industry", n=self._next_figure())),
        ]

    def efficiency(self) -> list[Block]:
        """亩均: the placed projects' figures per mu, by industry, and the D-grade sites (none without figures)."""
        s, u = self.s, self.u
        by = s.get("efficiency_by_industry")
        graded = "grade" in self.r.sites.columns
        if not isinstance(by, Mapping) and not graded:
            return []
        blocks: list[Block] = [Heading(self.t("h.efficiency"), 2)]
        if isinstance(by, Mapping):
            jobs = _float(s.get("jobs_placed"))
            blocks.append(Paragraph(self.t(
                "eff.lead", output=self._wan_as_yi(s.get("output_placed_wan")),
                tax=self._wan_as_yi(s.get("tax_placed_wan")),
                jobs="—" if jobs is None else (f"{jobs:,.0f} 人" if self.lang == "zh" else f"{jobs:,.0f} jobs"),
                space=u.mu(s.get("space_placed_mu")), inv=u.wan_per_mu(s.get("invest_wan_per_mu")),
                out_mu=u.wan_per_mu(s.get("output_wan_per_mu")), tax_mu=u.wan_per_mu(s.get("tax_wan_per_mu")),
                jobs_mu=self._n_per_mu(s.get("jobs_per_mu")),
                m2=f"{M2_PER_MU:,.2f} 平方米" if self.lang == "zh" else f"{M2_PER_MU:,.2f} m²")))
            def row(name: str, v: Mapping[str, Any]) -> tuple[str, ...]:
                return (name, u.plain(v.get("output_placed_wan"), 0), u.plain(v.get("tax_placed_wan"), 0),
                        u.plain(v.get("jobs_placed"), 0), u.plain(v.get("invest_wan_per_mu"), 1),
                        u.plain(v.get("output_wan_per_mu"), 1), u.plain(v.get("tax_wan_per_mu"), 1))

            rows = [row(self.industry(str(code)), v) for code, v in by.items() if isinstance(v, Mapping)]
            rows.append(row(self.t("eff.total"), s))
            blocks += [Paragraph(self.t("eff.by_industry")),
                       self.table(("eff.industry", "eff.output", "eff.tax", "eff.jobs", "eff.inv_mu", "eff.out_mu",
                                   "eff.tax_mu"), rows, (0.22, 0.13, 0.13, 0.10, 0.14, 0.14, 0.14), "lrrrrrr")]
        if graded:
            blocks += self._grades()
        for note in s.get("per_mu_warnings") or []:  # projects a per-mu floor could not check
            if isinstance(note, Mapping):
                blocks.append(Paragraph(str(note.get(self.lang, note.get("zh", ""))), small=True))
        return blocks

    def _grades(self) -> list[Block]:
        g = self.r.sites
        grade = g["grade"].fillna("").astype(str)
        pol = self.r.scenario.policy
        shares = [self.u.share(x, 0) for x in pol.grade_shares]
        counts = {k: int((grade == k).sum()) for k in ("A", "B", "C", "D")}
        blocks: list[Block] = [Paragraph(self.t(
            "eff.grades", by=self.t(f"eff.by.{pol.grade_by}"), n=self.u.whole(sum(counts.values())),
            a=shares[0], b=shares[1], c=shares[2], d=shares[3], na=counts["A"], nb=counts["B"], nc=counts["C"],
            nd=counts["D"]))]
        d = g[grade == "D"].copy()
        if not len(d):
            return [*blocks, Paragraph(self.t("eff.no_candidates"))]
        on = "tax_wan_per_mu" if pol.grade_by == "tax" else "output_wan_per_mu"
        d["_on"] = pd.to_numeric(d.get(on), errors="coerce")
        d = d.sort_values(["_on", "site_id"], kind="stable")
        rows = [(self.site_label(str(r["site_id"])), self.kind_words(r), f"{int(_float(r['n_projects']) or 0):,}",
                 self.u.plain(r.get("tax_wan_per_mu"), 1), self.u.plain(r.get("output_wan_per_mu"), 1), "D")
                for _, r in d.iterrows()]
        blocks += [Paragraph(self.t("eff.candidates", fig=self.figure_no + 1)),
                   self.table(("eff.site", "eff.kind", "eff.n", "eff.tax_mu", "eff.out_mu", "eff.grade"), rows,
                              (0.34, 0.18, 0.10, 0.15, 0.15, 0.08), "llrrrc")]
        return blocks

    def _wan_as_yi(self, v: Any) -> str:
        f = _float(v)
        return "—" if f is None else self.u.yi(f / WAN_PER_YI)

    def _n_per_mu(self, v: Any) -> str:
        f = _float(v)
        if f is None:
            return "—"
        return f"{f:,.2f} 人/亩" if self.lang == "zh" else f"{f:,.2f} jobs/mu"

    def map(self) -> list[Block]:
        png = figures.map_png(self.r.sites, self.numbers, self.lang)
        n = self._next_figure()
        self.map_figure = n
        rows = []
        for sid, no in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            site = self.sites.loc[sid]
            unit = str(site["unit"])
            fmt = self.u.mu if unit == "mu" else self.u.m2
            used, cap = fmt(site["used"]), fmt(site["capacity"])
            rows.append((str(no), self.site_label(sid), self.kind_words(site), f"{int(site['n_projects']):,}",
                         f"{used.rsplit(' ', 1)[0]} / {cap}", self.u.share(_ratio(site))))
        blocks: list[Block] = [Heading(self.t("h.map")), Figure(png, self.t("map.caption", n=n)),
                               Paragraph(self.t("map.note"), small=True)]
        if rows:
            blocks.append(self.table(("key.no", "key.site", "key.kind", "key.n", "key.use", "key.share"), rows,
                                     (0.07, 0.29, 0.16, 0.10, 0.27, 0.11), "cllrrr"))
        return blocks

    def placements(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.t("h.placements"))]
        if not len(self.placed):
            return [*blocks, Paragraph(self.t("pl.none"))]
        blocks.append(Paragraph(self.t("pl.intro", n=self.u.whole(len(self.placed)),
                                       sites=self.u.whole(len(self.numbers)), fig=self.map_figure)))
        p = self.placed.assign(plot_no=self.placed["site_id"].map(self.numbers))
        p = p.sort_values(["plot_no", "project_id"], kind="stable")
        rows = []
        for row in p.itertuples(index=False):
            sid = str(row.site_id)
            rows.append((str(row.plot_no), self.site_label(sid), str(row.project_id), str(row.name),
                         self.industry(str(row.industry)), self.u.plain(row.investment_yi, 2), self.space_used(row)))
        blocks.append(self.table(("key.no", "key.site", "pl.pid", "pl.name", "pl.industry", "pl.inv", "pl.use"), rows,
                                 (0.07, 0.17, 0.12, 0.23, 0.15, 0.12, 0.14), "cllllrr", merge=2))
        return blocks

    def unplaced(self) -> list[Block]:
        un = self.a[self.a["status"] != "placed"]
        blocks: list[Block] = [Heading(self.t("h.unplaced"))]
        if not len(un):
            return [*blocks, Paragraph(self.t("un.none", n=self.u.whole(len(self.a))))]
        inv = float(un["investment_yi"].fillna(0).sum())
        blocks.append(Paragraph(self.t("un.intro", n=self.u.whole(len(un)), inv=self.u.yi(inv))))
        rows = []
        for row in un.itertuples(index=False):
            reason = row.reason if self.lang == "zh" and str(row.reason) else row.reason_en
            rows.append((str(row.project_id), str(row.name), self.industry(str(row.industry)),
                         self.u.plain(row.investment_yi, 2), self.need(row), str(reason)))
        blocks.append(self.table(("pl.pid", "pl.name", "pl.industry", "pl.inv", "un.need", "un.reason"), rows,
                                 (0.11, 0.18, 0.11, 0.10, 0.12, 0.38), "lllrrl"))
        return blocks

    def reference(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.t("h.reference"))]
        moved, kept = self.s.get("moved_vs_reference"), self.s.get("kept_vs_reference")
        moves = self.r.moves
        if moves is None and moved is None:
            return [*blocks, Paragraph(self.t("ref.none"))]
        if isinstance(moved, int) and isinstance(kept, int):
            blocks.append(Paragraph(self.t("ref.counts", moved=self.u.whole(moved), kept=self.u.whole(kept))))
        if moves is None or not len(moves):
            blocks.append(Paragraph(self.t("ref.no_moves")))
            return blocks
        blocks.append(Paragraph(self.t("ref.list")))
        rows = []
        for row in moves.itertuples(index=False):
            buys = row.buys_zh if self.lang == "zh" else row.buys_en
            rows.append((str(row.project_id), str(row.name), self.site_or_none(str(row.reference_site_id)),
                         self.site_or_none(str(row.site_id)), t(f"change.{row.change}", self.lang), str(buys)))
        blocks.append(self.table(("pl.pid", "pl.name", "ref.from", "ref.to", "ref.change", "ref.buys"), rows,
                                 (0.11, 0.17, 0.17, 0.17, 0.10, 0.28), "llllll"))
        return blocks

    def rules(self) -> list[Block]:
        sc = self.r.scenario
        wt = sc.weights
        u = self.u
        pj = self.a.assign(excluded=self.a["project_id"].isin(sc.exclude_projects),
                           investment_yi=self.a["investment_yi"].fillna(0.0),
                           land_need_mu=self.a["land_need_mu"].fillna(0.0))
        scales = _scales(pj)
        per_p, per_mu = scales["per_project"], scales["per_mu"]
        blocks: list[Block] = [Heading(self.t("h.rules")), Heading(self.t("h.weights"), 2),
                               Paragraph(self.t("w.intro"))]
        on: list[str] = []
        off: list[str] = []
        m2_per_mu = u.m2(M2_PER_MU)
        for key in ("investment", "projects", "revitalization", "proximity", "priority", "tax"):
            v = float(getattr(wt, key))
            if v == 0:
                off.append(self.t(f"w.name.{key}"))
                continue
            fields: dict[str, object] = {"w": u.weight(v)}
            if key in ("projects", "priority", "proximity"):
                fields.update(per=u.yi(per_p), v=u.yi(v * per_p))
            if key == "revitalization":
                fields.update(per=u.wan_per_mu(per_mu * WAN_PER_YI), v=u.wan(v * per_mu * WAN_PER_YI), m2=m2_per_mu)
            if key == "proximity":
                fields["km"] = u.km(sc.policy.proximity_reference_km, 0)
            if key == "tax":
                fields.update(per=u.wan(scales.get("per_tax_wan", 0.0) * WAN_PER_YI),
                              avg=u.wan_per_mu(scales.get("tax_per_mu")))
            on.append(self.t(f"w.{key}", **fields))
        blocks += [Paragraph(x) for x in on]
        if off:
            blocks.append(Paragraph(self.t("w.off", names=self._join(off))))
        pol = sc.policy
        floor = (self.t("p.floor_none") if pol.default_min_invest_wan_per_mu is None
                 else u.wan_per_mu(pol.default_min_invest_wan_per_mu))
        policy = [self.t("p.rules"),
                  self.t("p.ratio", r=f"{pol.usable_land_ratio:g}", pct=u.share(pol.usable_land_ratio, 0)),
                  self.t("p.floor", v=floor)]
        if pol.default_min_tax_wan_per_mu is not None or pol.default_min_output_wan_per_mu is not None:
            policy.append(self.t("p.tax_floor", v=self.t("p.floor_none") if pol.default_min_tax_wan_per_mu is None
                                 else u.wan_per_mu(pol.default_min_tax_wan_per_mu),
                                 o=self.t("p.floor_none") if pol.default_min_output_wan_per_mu is None
                                 else u.wan_per_mu(pol.default_min_output_wan_per_mu)))
        if pol.as_of is not None:
            policy.append(self.t("p.as_of", date=u.date(pol.as_of)))
        if sc.locks:
            policy.append(self.t("p.locks", n=u.whole(len(sc.locks)), items=self._pairs(sc.locks)))
        if sc.forbid:
            policy.append(self.t("p.forbid", n=u.whole(len(sc.forbid)), items=self._pairs(sc.forbid)))
        if sc.exclude_sites:
            policy.append(self.t("p.excl_sites", items=self._join([self.site_label(s)
                                                                   for s in sorted(sc.exclude_sites)])))
        if sc.exclude_projects:
            policy.append(self.t("p.excl_projects", items=self._join([self.project_label(p)
                                                                      for p in sorted(sc.exclude_projects)])))
        desc = _description_in(sc.description, self.lang)
        if desc and desc != self.scenario_name:
            policy.append(self.t("p.description", text=desc))
        blocks += [Heading(self.t("h.policy"), 2), *(Paragraph(x) for x in policy)]
        blocks += [Heading(self.t("h.solver"), 2), Paragraph(self.solver_sentence())]
        return blocks

    def sources(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.t("h.sources"))]
        inputs = self.s.get("inputs") or {}
        rows = []
        if isinstance(inputs, Mapping):
            for key, fp in inputs.items():
                if not isinstance(fp, Mapping):
                    continue
                label = self.t(f"src.{key}") if f"src.{key}" in WORDS else self.t("src.other")
                rows.append((label, _file_name(str(fp.get("path", ""))), self._bytes(fp.get("bytes")),
                             str(fp.get("sha256", ""))))
        blocks.append(Paragraph(self.t("src.intro") if rows else self.t("src.none")))
        rows.append((self.t("src.scenario"), "scenario.toml", self._bytes(self.r.scenario_bytes),
                     self.r.scenario_sha256))
        blocks.append(self.table(("src.what", "src.file", "src.size", "src.hash"), rows, (0.15, 0.25, 0.12, 0.48),
                                 "llrl"))
        return blocks

    def warnings(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.t("h.warnings"))]
        warns = self.s.get("warnings")
        if warns is None:
            return [*blocks, Paragraph(self.t("warn.absent"))]
        items = [str(x) for x in warns] if isinstance(warns, list) else [str(warns)]
        if not items:
            return [*blocks, Paragraph(self.t("warn.none"))]
        blocks.append(Paragraph(self.t("warn.intro", n=self.u.whole(len(items)))))
        blocks += [Paragraph(f"{i}. {_warning_in(x, self.lang)}") for i, x in enumerate(items, start=1)]
        return blocks

    def signoff(self) -> list[Block]:
        written = self.u.date(self.r.written.date()) if self.r.written else self.t("sign.unknown")
        rows = tuple((self.t(k), "", self.t("sign.date")) for k in ("sign.drafted", "sign.checked", "sign.issued"))
        return [Heading(self.t("h.signoff")),
                SignOff(rows, self.t("sign.note", date=self.u.date(self.today), written=written))]

    # words for data

    def status_words(self) -> str:
        status = str(self.s["status"])
        try:
            return t(f"solve.{status}", self.lang)
        except KeyError:
            return status

    def status_sentence(self) -> str:
        status = str(self.s["status"])
        gap = _float(self.s.get("gap"))
        gap_text = self.u.share(gap, 2) if gap is not None else self.t("status.unknown_gap")
        key = f"status.{status}" if f"status.{status}" in WORDS else "status.feasible"
        return self.t(key, gap=gap_text)

    def solver_sentence(self) -> str:
        sol = self.r.scenario.solver
        u = self.u
        code = str(self.s.get("solver", sol.name)).lower()
        names = {"highs": "HiGHS", "cbc": "CBC"}
        # the program's own name (the scenario's when no solver's plan came back), then how it found this plan
        # when not by its MIP alone
        program = code.partition("+")[0]
        solver = ("HiGHS" if program.startswith("highs") or program == "lp-core"
                  else names.get(program, names.get(sol.name.lower(), sol.name)))
        told = program in SOLVER_WORDS and code not in names
        how = self.t("s.how", how=solver_label(code, self.lang)) if told else ""
        obj = _float(self.s.get("objective"))
        bound = _float(self.s.get("bound"))
        unit = self.t("s.obj_unit")
        return self.t(
            "s.method", solver=solver, how=how, limit=u.seconds(sol.time_limit_s), gap=u.share(sol.mip_gap, 2),
            proof=self.t("s.proof") if sol.mip_gap == 0 else "",
            obj="—" if obj is None else f"{obj:,.2f}{unit}", bound="—" if bound is None else f"{bound:,.2f}{unit}",
            gap_now=u.share(self.s.get("gap"), 2), secs=u.seconds(self.s.get("solve_seconds")),
        )

    def industry(self, code: str) -> str:
        return code_words("industry", code, self.lang)

    def mode(self, code: str) -> str:
        return code_words("mode", code, self.lang)

    def kind_words(self, site: Mapping[str, Any]) -> str:
        kind, status = str(site["kind"]), str(site["status"])
        if self.lang == "zh":
            return KIND_ZH.get(kind, kind) + ("（低效）" if status == "inefficient" else "")
        return t(f"kind.{kind}", "en") + (" (inefficient)" if status == "inefficient" else "")

    def site_name(self, sid: str) -> str:
        if sid not in self.sites.index:
            return sid
        site = self.sites.loc[sid]
        name = str(site.get("name", "") or "")
        if self.lang == "en":
            en = str(site.get("name_en", "") or "").strip()
            return en if en and en.lower() not in ("nan", "none") else name
        anchor = str(site.get("anchor", "") or "")
        return name or (anchor_label(anchor, self.lang) if anchor else sid)

    def site_label(self, sid: str) -> str:
        name = self.site_name(sid)
        return f"{sid} {name}" if name and name != sid else sid

    def site_or_none(self, sid: str) -> str:
        return self.site_label(sid) if sid else self.t("ref.unplaced_site")

    def project_label(self, pid: str) -> str:
        hit = self.a.loc[self.a["project_id"] == pid, "name"]
        return f"{pid} {hit.iloc[0]}" if len(hit) else pid

    def space_used(self, row: Any) -> str:
        kind = str(row.site_kind)
        return self.u.mu(row.used_mu) if kind == "land" else self.u.m2(row.used_m2)

    def need(self, row: Any) -> str:
        parts = []
        if str(row.mode) in ("land", "land_or_lease") and _float(row.land_need_mu):
            parts.append(self.u.mu(row.land_need_mu))
        if str(row.mode) != "land" and _float(row.floor_need_m2):
            parts.append(self.u.m2(row.floor_need_m2))
        return self.mode(str(row.mode)) + ("：" if self.lang == "zh" else ": ") + " / ".join(parts)

    # helpers

    def _placed_by_kind(self) -> dict[str, int]:
        counts = self.placed["site_kind"].value_counts()
        return {k: int(counts.get(k, 0)) for k in ("land", "factory", "platform")}

    def _share(self) -> float:
        share = _float(self.s.get("investment_placed_share"))
        if share is not None:
            return share
        total = float(self.s["investment_total_yi"])
        return float(self.s["investment_placed_yi"]) / total if total else 0.0

    def _next_figure(self) -> int:
        self.figure_no += 1
        return self.figure_no

    def _join(self, items: Sequence[str]) -> str:
        return ("、" if self.lang == "zh" else ", ").join(items)

    def _pairs(self, pairs: Sequence[tuple[str, str]], limit: int = 30) -> str:
        arrow = " → "
        shown = [f"{self.project_label(p)}{arrow}{self.site_label(s)}" for p, s in pairs[:limit]]
        more = len(pairs) - limit
        if more > 0:
            shown.append(f"等 {more} 项" if self.lang == "zh" else f"and {more} more")
        return ("；" if self.lang == "zh" else "; ").join(shown)

    def _bytes(self, n: Any) -> str:
        f = _float(n)
        return "—" if f is None else self.t("src.bytes", n=f"{int(f):,}")


def _plot_numbers(placed: pd.DataFrame, sites: pd.DataFrame) -> dict[str, int]:
    """Map numbers of the sites holding projects: land first, then factories, then platforms; by id."""
    used = set(placed["site_id"].astype(str))
    order = {"land": 0, "factory": 1, "platform": 2}
    s = sites[sites["site_id"].isin(used)]
    keyed = sorted(zip(s["kind"].astype(str), s["site_id"].astype(str), strict=True),
                   key=lambda ks: (order.get(ks[0], 3), ks[1]))
    return {sid: i for i, (_, sid) in enumerate(keyed, start=1)}


def _ratio(site: Mapping[str, Any]) -> float | None:
    cap = _float(site.get("capacity"))
    used = _float(site.get("used"))
    return used / cap if cap and used is not None else None


def _float(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _file_name(path: str) -> str:
    return PurePath(path.replace("\\", "/")).name if path else ""


def _split_description(text: str) -> tuple[str, str]:
    """``"中文: English"`` -> (Chinese head, English tail); ("", "") when not written that way."""
    m = re.match(r"\s*([^:：]*?)\s*[:：]\s*(.+)", text or "", flags=re.S)
    if not m:
        return "", ""
    head, tail = m.group(1), m.group(2)
    if _CJK.search(head) and not _LATIN.search(head) and _LATIN.search(tail) and not _CJK.search(tail):
        return head, tail
    return "", ""


def _first_clause(text: str) -> str:
    return re.split(r"[;:.]", text, maxsplit=1)[0].strip()


def _description_in(text: str, lang: str) -> str:
    """The scenario's description in ``lang``: its part in that language, or all of it when it has one."""
    head, tail = _split_description(text)
    if head:
        return head if lang == "zh" else tail
    text = (text or "").strip()
    in_zh = bool(_CJK.search(text))
    return text if (lang == "zh") == in_zh else ""


def _warning_in(text: str, lang: str) -> str:
    """A warning as ``Problem.text("both")`` writes it (``[警告 WARNING] file, row 3 / 第3行, id X, column c /
    列“c”: 中文 | English``) in ``lang`` alone; any other text as given."""
    if " | " not in text:
        return text
    zh, _, en = text.partition(" | ")
    where, sep, msg = zh.partition(": ")
    if not sep:
        return zh if lang == "zh" else en
    where = re.sub(r"^\[[^\]]*\]\s*", "", where)
    if lang == "zh":
        where = re.sub(r"row \d+ / (第\d+行)", r"\1", where)
        where = re.sub(r"column .+? / (列“[^”]*”)", r"\1", where)
        where = re.sub(r"\bid (\S+)", r"编号 \1", where).replace(", ", "，")
        return f"{where}：{msg}"
    where = re.sub(r"(row \d+) / 第\d+行", r"\1", where)
    where = re.sub(r"(column .+?) / 列“[^”]*”", r"\1", where)
    return f"{where}: {en}"


__all__ = ["Block", "Brief", "Figure", "Heading", "Paragraph", "SignOff", "Table", "Units", "build_brief",
           "scenario_title"]
