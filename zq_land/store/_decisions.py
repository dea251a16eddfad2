"""Decisions: project -> plot, agreed at a review meeting; superseded, never deleted.

The rules (docs/STORE.md, "Conflicts"), checked inside the deciding transaction, which holds the store's
write lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL an advisory lock), so two planners deciding at once
are checked one after the other and the second sees the first:

1. A project has at most one active decision. A new one for a project that has one is a conflict
   naming it; the planner supersedes it explicitly (``decisions supersede ID --site NEW``).
2. The active decisions on a plot fit its capacity (land: its area in mu; factory or platform: its floor
   in m2): a decision that would overfill the plot is a conflict naming the decisions already on it.
3. The project and the plot exist in the decision's data set, the plot is not occupied, and the
   project's mode may land on the plot's kind with a positive need in the plot's unit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError

from .._errors import ValidationReport
from ..engine.rules import MODE_KINDS, fits, site_capacity
from ._env import current_user
from ._store import DecisionConflict, Store, _fields, _iso, _utc


@dataclass(frozen=True)
class Decision:
    """One decision as stored."""

    id: int
    project_id: str
    site_id: str
    dataset_id: int
    need: float | None
    unit: str | None
    meeting: int | None
    meeting_date: dt.date | None
    note: str
    decided_by: str
    created: dt.datetime
    run_id: int | None
    superseded_at: dt.datetime | None
    superseded_by: str | None
    supersede_note: str | None
    replaced_by: int | None

    @property
    def active(self) -> bool:
        return self.superseded_at is None

    def describe(self, lang: str = "zh") -> str:
        """``#3 P001 → S1 (meeting 5, 2022-05-10, by 张三, recorded 2024-05-01 10:00 UTC)``."""
        when = _utc(self.created).strftime("%Y-%m-%d %H:%M UTC")
        parts = []
        if self.meeting is not None:
            parts.append(f"第 {self.meeting} 次评审会" if lang == "zh" else f"meeting {self.meeting}")
        if self.meeting_date is not None:
            parts.append(self.meeting_date.isoformat())
        parts.append(self.decided_by)
        parts.append(("记录于 " if lang == "zh" else "recorded ") + when)
        sep = "，" if lang == "zh" else ", "
        return f"#{self.id} {self.project_id} → {self.site_id} ({sep.join(parts)})"

    def as_json(self) -> dict[str, Any]:
        d = _fields(self)
        d["active"] = self.active
        d["created"] = _iso(self.created)
        d["superseded_at"] = None if self.superseded_at is None else _iso(self.superseded_at)
        d["meeting_date"] = None if self.meeting_date is None else self.meeting_date.isoformat()
        return d


def list_decisions(store: Store, *, active_only: bool = True, project_id: str | None = None,
                   site_id: str | None = None) -> list[Decision]:
    """Decisions, oldest first (only the active ones unless ``active_only=False``)."""
    d = store.schema.table("decisions")
    q = select(d).order_by(d.c.id)
    if active_only:
        q = q.where(d.c.superseded_at.is_(None))
    if project_id:
        q = q.where(d.c.project_id == project_id)
    if site_id:
        q = q.where(d.c.site_id == site_id)
    with store.reading() as conn:
        return [_decision(r) for r in conn.execute(q).mappings()]


def add_decision(
    store: Store,
    project_id: str,
    site_id: str,
    *,
    dataset_id: int | None = None,
    meeting: int | None = None,
    meeting_date: dt.date | None = None,
    note: str = "",
    by: str | None = None,
    run_id: int | None = None,
) -> Decision:
    """Record that ``project_id`` goes to ``site_id`` (rules 1-3); the decision as saved.

    Raises
    ------
    DecisionConflict
        The project has an active decision, or the plot's active decisions leave no room.
    StoreError
        Unknown data set, project or plot, or a pair the rules exclude.
    """
    with store.writing() as conn:
        _lock(store, conn)
        ds = _dataset(store, conn, dataset_id)
        new = _checked(store, conn, ds, [(project_id, site_id)], adopt=False)
        ids = _insert(store, conn, ds, new, meeting=meeting, meeting_date=meeting_date, note=note,
                      by=by or current_user(), run_id=run_id)
        return _get(store, conn, ids[0])


def supersede_decision(
    store: Store,
    decision_id: int,
    *,
    site_id: str | None = None,
    dataset_id: int | None = None,
    meeting: int | None = None,
    meeting_date: dt.date | None = None,
    note: str = "",
    by: str | None = None,
) -> tuple[Decision, Decision | None]:
    """Supersede a decision and, with ``site_id``, record its replacement, in one transaction.

    Returns the superseded decision and the replacement (None when the decision is withdrawn).
    """
    by = by or current_user()
    d = store.schema.table("decisions")
    with store.writing() as conn:
        _lock(store, conn)
        old = _get(store, conn, decision_id)
        if not old.active:
            later = f" → #{old.replaced_by}" if old.replaced_by else ""
            raise _conflict(
                [old],
                f"决定 #{old.id} 已于 {_iso(old.superseded_at or old.created)} 被 {old.superseded_by} 取代{later}："
                "请先 decisions list --all 查看现行决定",
                f"decision #{old.id} was already superseded by {old.superseded_by} at "
                f"{_iso(old.superseded_at or old.created)}{later}; see decisions list --all for the one in force",
                item=str(old.id))
        now = dt.datetime.now(dt.UTC)
        conn.execute(d.update().where(d.c.id == old.id).values(superseded_at=now, superseded_by=by,
                                                               supersede_note=note))
        new: Decision | None = None
        if site_id:
            ds = _dataset(store, conn, dataset_id if dataset_id is not None else old.dataset_id)
            pairs = _checked(store, conn, ds, [(old.project_id, site_id)], adopt=False)
            ids = _insert(store, conn, ds, pairs, meeting=meeting, meeting_date=meeting_date, note=note, by=by,
                          run_id=None)
            conn.execute(d.update().where(d.c.id == old.id).values(replaced_by=ids[0]))
            new = _get(store, conn, ids[0])
        return _get(store, conn, old.id), new


def adopt_run(store: Store, run_id: int, *, meeting: int | None = None, meeting_date: dt.date | None = None,
              note: str = "", by: str | None = None) -> list[Decision]:
    """Make every placement of a run a decision, all or none; placements already decided are kept.

    Raises
    ------
    DecisionConflict
        Listing every placement that clashes with an active decision (another plot, or a full plot).
    """
    a = store.schema.table("run_assignments")
    with store.writing() as conn:
        _lock(store, conn)
        run = store._require_run(conn, run_id)
        pairs = [(str(p), str(s)) for p, s in conn.execute(
            select(a.c.project_id, a.c.site_id).where(a.c.run_id == run_id, a.c.status == "placed")
            .order_by(a.c.pos))]
        ds = int(run["dataset_id"])
        new = _checked(store, conn, ds, pairs, adopt=True)
        ids = _insert(store, conn, ds, new, meeting=meeting, meeting_date=meeting_date,
                      note=note or f"run #{run_id}", by=by or current_user(), run_id=run_id)
        return [_get(store, conn, i) for i in ids]


def decision_locks(store: Store, project_ids: Iterable[str], site_ids: Iterable[str]) -> list[tuple[str, str]]:
    """The active decisions as (project, site) locks, for the projects and plots a data set has."""
    projects, sites = set(map(str, project_ids)), set(map(str, site_ids))
    return [(x.project_id, x.site_id) for x in list_decisions(store)
            if x.project_id in projects and x.site_id in sites]


# --- private ----------------------------------------------------------------------------------------

def _lock(store: Store, conn: Connection) -> None:
    """Serialise deciding transactions (SQLite already holds its write lock from BEGIN IMMEDIATE)."""
    if store.backend == "postgis":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('zq_land.decisions'))"))


def _dataset(store: Store, conn: Connection, dataset_id: int | None) -> int:
    t = store.schema.table("datasets")
    if dataset_id is None:
        r = store.schema.table("runs")
        dataset_id = conn.execute(select(r.c.dataset_id).order_by(r.c.id.desc()).limit(1)).scalar() \
            or conn.execute(select(func.max(t.c.id))).scalar()
        if dataset_id is None:
            raise store.error("存储中还没有数据集：请先 import 或 solve --store", "the store holds no data set yet: "
                              "import one or solve with --store first")
    elif not conn.execute(select(t.c.id).where(t.c.id == dataset_id)).scalar():
        raise store.error(f"数据集 #{dataset_id} 不存在", f"there is no data set #{dataset_id}",
                          item_id=str(dataset_id))
    return int(dataset_id)


def _checked(store: Store, conn: Connection, dataset_id: int, pairs: Sequence[tuple[str, str]], *,
             adopt: bool) -> list[tuple[str, str, float, str]]:
    """The pairs to insert with their need and unit, after rules 1-3; raises on any breach.

    ``adopt``: a project already decided on the same plot is skipped rather than a conflict.
    """
    facts = _facts(store, conn, dataset_id, pairs)
    rep = ValidationReport()
    where = store.url
    for pid, sid in pairs:
        if pid not in facts["projects"]:
            rep.error(where, f"项目 {pid} 不在数据集 #{dataset_id} 中",
                      f"project {pid} is not in data set #{dataset_id}", item_id=pid, column="project_id")
        if sid not in facts["sites"]:
            rep.error(where, f"地块 {sid} 不在数据集 #{dataset_id} 中",
                      f"plot {sid} is not in data set #{dataset_id}", item_id=sid, column="site_id")
    if not rep.ok:
        raise _store_error(rep)
    active = {x.project_id: x for x in _active(store, conn)}
    on_site: dict[str, list[Decision]] = {}
    for x in active.values():
        on_site.setdefault(x.site_id, []).append(x)
    out: list[tuple[str, str, float, str]] = []
    clashes: list[Decision] = []
    msgs_zh: list[str] = []
    msgs_en: list[str] = []
    for pid, sid in pairs:
        project, site = facts["projects"][pid], facts["sites"][sid]
        kind = str(site["kind"])
        unit = "mu" if kind == "land" else "m2"
        need = project["land_need_mu"] if kind == "land" else project["floor_need_m2"]
        prior = active.get(pid)
        if prior is not None:
            if adopt and prior.site_id == sid:
                continue
            clashes.append(prior)
            msgs_zh.append(f"项目 {pid} 已有有效决定 {prior.describe('zh')}；如要改变，请先取代它："
                           f"decisions supersede {prior.id} --site {sid}")
            msgs_en.append(f"project {pid} already has the active decision {prior.describe('en')}; to change it, "
                           f"supersede it: decisions supersede {prior.id} --site {sid}")
            continue
        if site["status"] == "occupied":
            rep.error(where, f"地块 {sid} 已被占用，不能再决定项目落位", f"plot {sid} is occupied: no project can be "
                      "decided onto it", item_id=sid, column="status")
            continue
        if kind not in MODE_KINDS.get(str(project["mode"]), ()) or need is None or not need > 0:
            rep.error(where, f"项目 {pid}（落地方式 {project['mode']}）不能落在 {kind} 类地块 {sid}",
                      f"project {pid} (mode {project['mode']}) cannot land on the {kind} plot {sid}",
                      item_id=pid, column="mode")
            continue
        cap = float(site_capacity([kind], [site["area_mu"]], [site["floor_area_m2"]])[0][0])
        there = on_site.setdefault(sid, [])
        used = sum(float(x.need or 0.0) for x in there if x.unit == unit)
        if not fits(used + float(need), cap):
            clashes.extend(there)
            names = "、".join(x.describe("zh") for x in there) or "无"
            names_en = "; ".join(x.describe("en") for x in there) or "none"
            msgs_zh.append(f"地块 {sid} 容量 {cap:g} {unit}，已决定 {used:g} {unit}（{names}），"
                           f"放不下项目 {pid} 的 {float(need):g} {unit}")
            msgs_en.append(f"plot {sid} holds {cap:g} {unit} and {used:g} {unit} is decided ({names_en}): "
                           f"no room for the {float(need):g} {unit} of project {pid}")
            continue
        entry = Decision(0, pid, sid, dataset_id, float(need), unit, None, None, "", "", dt.datetime.now(dt.UTC),
                         None, None, None, None, None)
        there.append(entry)
        active[pid] = entry
        out.append((pid, sid, float(need), unit))
    if not rep.ok:
        raise _store_error(rep)
    if clashes:
        raise _conflict(clashes, "；".join(msgs_zh), "; ".join(msgs_en), item=pairs[0][0] if pairs else None)
    return out


def _facts(store: Store, conn: Connection, dataset_id: int, pairs: Sequence[tuple[str, str]]
           ) -> dict[str, dict[str, Any]]:
    """The project and plot rows the rules need, by id."""
    s, p = store.schema.table("sites"), store.schema.table("projects")
    site_ids = sorted({x for _, x in pairs})
    project_ids = sorted({x for x, _ in pairs})
    sites = {str(r["site_id"]): r for r in conn.execute(
        select(s.c.site_id, s.c.kind, s.c.status, s.c.area_mu, s.c.floor_area_m2)
        .where(s.c.dataset_id == dataset_id, s.c.site_id.in_(site_ids))).mappings()}
    projects = {str(r["project_id"]): r for r in conn.execute(
        select(p.c.project_id, p.c.mode, p.c.land_need_mu, p.c.floor_need_m2)
        .where(p.c.dataset_id == dataset_id, p.c.project_id.in_(project_ids))).mappings()}
    return {"sites": sites, "projects": projects}


def _insert(store: Store, conn: Connection, dataset_id: int, pairs: Sequence[tuple[str, str, float, str]], *,
            meeting: int | None, meeting_date: dt.date | None, note: str, by: str, run_id: int | None) -> list[int]:
    d = store.schema.table("decisions")
    now = dt.datetime.now(dt.UTC)
    ids = []
    for pid, sid, need, unit in pairs:
        try:
            with conn.begin_nested():
                ids.append(int(conn.execute(d.insert().values(
                    dataset_id=dataset_id, project_id=pid, site_id=sid, need=need, unit=unit, meeting=meeting,
                    meeting_date=meeting_date, note=note, decided_by=by, created=now, run_id=run_id,
                ).returning(d.c.id)).scalar_one()))
        except IntegrityError:  # the unique index caught a writer that bypassed the lock
            prior = [x for x in _active(store, conn) if x.project_id == pid]
            raise _conflict(prior, f"项目 {pid} 已有有效决定", f"project {pid} already has an active decision",
                            item=pid) from None
    return ids


def _active(store: Store, conn: Connection) -> list[Decision]:
    d = store.schema.table("decisions")
    return [_decision(r) for r in conn.execute(select(d).where(d.c.superseded_at.is_(None)).order_by(d.c.id)
                                               ).mappings()]


def _get(store: Store, conn: Connection, decision_id: int) -> Decision:
    d = store.schema.table("decisions")
    row = conn.execute(select(d).where(d.c.id == decision_id)).mappings().first()
    if row is None:
        raise store.error(f"决定 #{decision_id} 不存在（decisions list --all 列出所有决定）",
                          f"there is no decision #{decision_id} (decisions list --all shows them all)",
                          item_id=str(decision_id))
    return _decision(row)


def _decision(row: Mapping[Any, Any]) -> Decision:
    values: dict[str, Any] = {f.name: row.get(f.name) for f in dataclasses.fields(Decision)}
    values["created"] = _utc(values["created"])
    if values["superseded_at"] is not None:
        values["superseded_at"] = _utc(values["superseded_at"])
    values["note"] = values["note"] or ""
    return Decision(**values)


def _conflict(existing: Sequence[Decision], zh: str, en: str, *, item: str | None) -> DecisionConflict:
    rep = ValidationReport()
    rep.error("decisions", "冲突：" + zh, "conflict: " + en, item_id=item)
    return DecisionConflict(rep, existing)


def _store_error(rep: ValidationReport) -> Exception:
    from ._store import StoreError

    return StoreError(rep)
