"""The data page: the bundled 2022 sample, uploads of sites and projects, column mapping, validation.

:func:`handle_upload` is the whole upload path as a plain function of ``(kind, filename, bytes)``: it
checks the extension and size, writes the bytes into a temporary directory that is removed before it
returns, and reads them with :func:`zq_land.check_sites` / :func:`zq_land.check_projects`, which also
say which headers the mapping step should offer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from types import MappingProxyType
from typing import Any, Final, Literal, cast

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from zq_land import (
    PROJECT_COLUMNS,
    PROJECT_EFFICIENCY_COLUMNS,
    SITE_COLUMNS,
    SITE_EFFICIENCY_COLUMNS,
    Basemap,
    Problem,
    ReadResult,
    ValidationReport,
    check_projects,
    check_sites,
    code_label,
    column_label,
    file_fingerprint,
    header,
    labelled,
    read_projects,
    read_sites,
    sample_projects,
    sample_sites,
    sites_map,
    t,
)

from . import state
from .common import plain, short_name, show_problems

Kind = Literal["sites", "projects"]
#: File types a planner may upload (a bare ``.shp`` needs its companions: upload them zipped).
UPLOAD_TYPES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "sites": (".gpkg", ".geojson", ".json", ".zip"),
    "projects": (".csv", ".xlsx"),
})
CANONICAL: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {"sites": (*SITE_COLUMNS, *SITE_EFFICIENCY_COLUMNS), "projects": (*PROJECT_COLUMNS, *PROJECT_EFFICIENCY_COLUMNS)})
#: Session key of an upload waiting to be read: ``(kind, filename, bytes)``. The uploader puts files
#: there, and so can a test (AppTest cannot upload files).
PENDING: Final = "pending_upload"
MAP_HEIGHT: Final = 620
SITE_TABLE: Final = ("site_id", "name", "kind", "status", "area_mu", "floor_area_m2", "industries",
                     "min_invest_wan_per_mu", "zone", "available_from", "anchor")
PROJECT_TABLE: Final = ("project_id", "name", "industry", "anchor", "investment_yi", "mode", "land_need_mu",
                        "floor_need_m2", "review_meeting", "priority", "output_wan", "tax_wan", "jobs")
DEFAULT_MAX_MB: Final = 200


@dataclass(frozen=True)
class UploadOutcome:
    """What became of one uploaded file.

    Attributes
    ----------
    table
        The canonical sites or projects table, or None when the file was refused.
    report
        Every problem found (file names are the uploaded name, never the temporary path).
    headers
        The file's headers the reader did not recognise (all of them when a required one was
        missing), as the reader lists them (``ReadResult.headers``): the choices of the mapping step.
    """

    kind: Kind
    filename: str
    table: pd.DataFrame | None
    report: ValidationReport
    headers: tuple[str, ...] = ()
    info: state.FileInfo | None = None
    columns: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.table is not None


def handle_upload(
    kind: Kind,
    filename: str,
    data: bytes,
    *,
    columns: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024,
) -> UploadOutcome:
    """Check and read one uploaded file; never raises for a bad file.

    Parameters
    ----------
    kind
        ``"sites"`` (GeoPackage, GeoJSON, zipped Shapefile) or ``"projects"`` (CSV, Excel).
    filename, data
        The name the planner's browser sent and the file's bytes.
    columns
        The planner's column mapping ``{their header: canonical column}``.
    max_bytes
        The upload size limit (``server.maxUploadSize``).
    """
    name = _safe_name(filename)
    mapping = tuple((str(k), str(v)) for k, v in (columns or {}).items() if v)
    rep = ValidationReport()
    suffix = Path(name).suffix.lower()
    allowed = UPLOAD_TYPES[kind]
    if suffix not in allowed:
        rep.error(name, f"不支持的文件类型“{suffix or name}”；可用：{'、'.join(allowed)}",
                  f"unsupported file type '{suffix or name}'; accepted: {', '.join(allowed)}",
                  found=suffix, expected=", ".join(allowed))
    elif not data:
        rep.error(name, "文件是空的（0 字节）", "the file is empty (0 bytes)")
    elif len(data) > max_bytes:
        mb = max_bytes / 1024 / 1024
        rep.error(name, f"文件过大：{len(data) / 1024 / 1024:.1f} MB，上限 {mb:.0f} MB",
                  f"file too large: {len(data) / 1024 / 1024:.1f} MB, the limit is {mb:.0f} MB",
                  found=str(len(data)), expected=f"<= {max_bytes}")
    if not rep.ok:
        return UploadOutcome(kind, name, None, rep, columns=mapping)

    read: ReadResult[Any] | None = None
    with tempfile.TemporaryDirectory(prefix="zq_upload_") as tmp:
        # a short name on disk: a 200-character Chinese upload name is over the 255-byte limit (ENAMETOOLONG)
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            reader = check_sites if kind == "sites" else check_projects
            read = reader(path, columns=dict(mapping) or None)
        except Exception as exc:  # an unreadable file must give a message, never a traceback
            rep.error(name, f"无法读取文件：{type(exc).__name__}: {exc}",
                      f"the file cannot be read: {type(exc).__name__}: {exc}")
        tmp_prefix = str(Path(tmp))
    problems = read.report if read is not None else rep
    report = ValidationReport([_renamed(p, tmp_prefix, name) for p in problems])
    table = read.table if read is not None else None
    if table is not None:
        table = _renamed_attrs(table, name)
    info = state.FileInfo(name, len(data), hashlib.sha256(data).hexdigest()) if table is not None else None
    headers = read.headers if read is not None else ()
    return UploadOutcome(kind, name, table, report, headers, info, mapping)


def process_pending(lang: str) -> None:
    """Read an upload waiting in the session (from the uploader or a test) and use it when it is good."""
    pending = st.session_state.pop(PENDING, None)
    if not pending:
        return
    kind, filename, data = pending[:3]
    columns = pending[3] if len(pending) > 3 else None
    outcome = handle_upload(kind, filename, data, columns=columns, max_bytes=max_upload_bytes())
    st.session_state[f"upload_{kind}"] = outcome
    # the bytes stay in this session so the column-mapping step can read them again
    st.session_state[f"upload_{kind}_file"] = (filename, data) if outcome.headers else None
    if outcome.ok:
        _use_upload(outcome)
        state.flash("success", t("data.upload_ok", lang, name=plain(short_name(outcome.filename))))


def max_upload_bytes() -> int:
    """The upload limit of ``.streamlit/config.toml`` (``server.maxUploadSize``, in MB)."""
    try:
        mb = int(st.get_option("server.maxUploadSize"))
    except Exception:
        mb = DEFAULT_MAX_MB
    return mb * 1024 * 1024


def current_data() -> state.DataSet:
    """This session's data set (the bundled sample until the planner uploads files)."""
    data = st.session_state.get(state.DATA)
    if not isinstance(data, state.DataSet):
        data = sample_dataset()
        st.session_state[state.DATA] = data
    return data


def sample_dataset() -> state.DataSet:
    """The bundled 2022 sample (read once per server process; each session gets its own copy)."""
    sites_path, projects_path = sample_sites(), sample_projects()
    sites, sinfo = _load_sample_sites(str(sites_path), _digest(sites_path))
    projects, pinfo = _load_sample_projects(str(projects_path), _digest(projects_path))
    return state.DataSet(sites, projects, sinfo, pinfo)


def render(lang: str, *, basemap: str, tianditu_key: str | None, offline: bool) -> None:
    """Draw the data page."""
    data = current_data()
    st.subheader(t("data.header", lang))
    _sources(data, lang)
    left, right = st.columns(2)
    with left:
        _uploader("sites", lang)
    with right:
        _uploader("projects", lang)

    _metrics(data, lang)
    st.subheader(t("app.map_header", lang))
    if data.sites_file.sample:
        st.caption(t("app.sample_note", lang))
    m = sites_map(data.sites, lang=lang, basemap=cast(Basemap, basemap), tianditu_key=tianditu_key,
                  offline=offline)
    st_folium(m, key="folium_sites", returned_objects=[], use_container_width=True, height=MAP_HEIGHT)
    st.subheader(t("app.table_header", lang))
    st.dataframe(sites_table(data.sites, lang), hide_index=True, width="stretch", key="tbl_sites",
                 column_config=number_formats(lang))
    st.subheader(t("data.projects_header", lang))
    st.dataframe(projects_table(data.projects, lang), hide_index=True, width="stretch", key="tbl_projects",
                 column_config=number_formats(lang))


#: Decimals of the numbers the data tables show (their headers carry the units): mu to 0.1, m2 whole, 亿元 0.01.
_DIGITS: Final = {"area_mu": 1, "floor_area_m2": 0, "min_invest_wan_per_mu": 0, "investment_yi": 2,
                  "land_need_mu": 1, "floor_need_m2": 0}


def number_formats(lang: str) -> dict[str, Any]:
    """``column_config`` giving the data tables' numbers a sensible precision (an area of 231242.7141 mu shows as
    231,242.7)."""
    return {header(c, lang): st.column_config.NumberColumn(header(c, lang), format="localized" if d == 0 else
                                                           f"%.{d}f") for c, d in _DIGITS.items()}


def sites_table(sites: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """The sites as shown: canonical columns, coded values and headers in ``lang``."""
    df = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    df = df[[c for c in SITE_TABLE if c in df.columns]].copy()
    for col in ("kind", "status"):
        df[col] = df[col].map(lambda v, c=col: _site_coded(c, v, lang))
    sep = "、" if lang != "en" else ", "  # the industries in words in either language (not nev_parts)
    df["industries"] = df["industries"].map(
        lambda v: sep.join(code_label("industry", code, lang) for code in str(v or "").split(";") if code))
    # a site's status and anchor (not a project's placement or supplier)
    return labelled(df.rename(columns={"status": "site_status", "anchor": "site_anchor"}), lang, name="name",
                    codes=("site_anchor",))


def projects_table(projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The projects as shown: canonical columns, coded values and headers in ``lang``."""
    df = projects[[c for c in PROJECT_TABLE if c in projects.columns]]
    return labelled(df, lang, codes=("industry", "mode", "anchor"))


# --- private --------------------------------------------------------------------------------------

def _sources(data: state.DataSet, lang: str) -> None:
    def label(info: state.FileInfo) -> str:
        return t("data.sample_file", lang, name=info.name) if info.sample else info.name

    st.markdown(t("data.current", lang, sites=plain(short_name(label(data.sites_file))),
                   projects=plain(short_name(label(data.projects_file)))))
    if not (data.sites_file.sample and data.projects_file.sample) and st.button(
        t("data.use_sample", lang), key="btn_use_sample"
    ):
        st.session_state[state.DATA] = sample_dataset()
        for kind in ("sites", "projects"):
            st.session_state.pop(f"upload_{kind}", None)
            st.session_state.pop(f"upload_{kind}_file", None)
        st.rerun()


def _uploader(kind: Kind, lang: str) -> None:
    st.markdown(f"**{t(f'data.upload_{kind}', lang)}**")
    types = [s.lstrip(".") for s in UPLOAD_TYPES[kind]]
    file = st.file_uploader(t(f"data.upload_{kind}_help", lang), type=types, key=f"up_{kind}",
                            max_upload_size=max_upload_bytes() // (1024 * 1024))
    if file is not None:
        sig = (file.file_id, file.name)
        if st.session_state.get(f"up_{kind}_done") != sig:
            st.session_state[f"up_{kind}_done"] = sig
            st.session_state[PENDING] = (kind, file.name, file.getvalue())
            st.rerun()
    outcome = st.session_state.get(f"upload_{kind}")
    if not isinstance(outcome, UploadOutcome):
        return
    if outcome.ok:
        st.success(t("data.upload_ok", lang, name=plain(short_name(outcome.filename))))
    else:
        st.error(t("data.upload_refused", lang, name=plain(short_name(outcome.filename))))
    show_problems(outcome.report, lang, key=f"tbl_problems_{kind}")
    kept = st.session_state.get(f"upload_{kind}_file")
    if outcome.headers and kept:
        _column_mapping(kind, outcome, kept[0], kept[1], lang)


def _column_mapping(kind: Kind, outcome: UploadOutcome, filename: str, data: bytes, lang: str) -> None:
    """Let the planner say which canonical column each unrecognised header is."""
    canon = CANONICAL[kind]
    current = dict(outcome.columns)
    with st.expander(t("data.mapping", lang), expanded=not outcome.ok), st.form(f"form_map_{kind}"):
        st.caption(t("data.mapping_help", lang))
        chosen: dict[str, str] = {}
        for i, header in enumerate(outcome.headers[:40]):
            options = ["", *canon]
            tag = hashlib.sha1(f"{outcome.filename}|{i}|{header}".encode()).hexdigest()[:12]
            key = f"colmap_{kind}_{tag}"
            if key not in st.session_state:
                st.session_state[key] = current.get(header, "")
            value = st.selectbox(
                header, options, key=key,
                format_func=lambda c: t("data.mapping_none", lang) if not c else column_label(c, lang),
            )
            if value:
                chosen[header] = value
        if st.form_submit_button(t("data.mapping_apply", lang), key=f"btn_map_apply_{kind}"):
            st.session_state[PENDING] = (kind, filename, data, {**current, **chosen})
            st.rerun()


def _use_upload(outcome: UploadOutcome) -> None:
    data = current_data()
    assert outcome.table is not None and outcome.info is not None
    warnings = tuple(p.text("both") for p in outcome.report.warnings)  # shown again with every result
    if outcome.kind == "sites":
        new = dataclasses.replace(data, sites=outcome.table, sites_file=outcome.info,
                                  site_columns=outcome.columns, sites_warnings=warnings)
    else:
        new = dataclasses.replace(data, projects=outcome.table, projects_file=outcome.info,
                                  project_columns=outcome.columns, projects_warnings=warnings)
    st.session_state[state.DATA] = new
    from .workspace import save_dataset

    save_dataset(new)  # every upload becomes a data set of the store
    dropped = state.prune_to_ids(new.sites["site_id"].astype(str), new.projects["project_id"].astype(str))
    if dropped:
        state.flash("warning", t("data.pruned", state.lang(), n=dropped))


def _metrics(data: state.DataSet, lang: str) -> None:
    sites, projects = data.sites, data.projects
    free = sites[sites["status"] != "occupied"]
    land = pd.to_numeric(free.loc[free["kind"] == "land", "area_mu"], errors="coerce").sum()
    floor = pd.to_numeric(free.loc[free["kind"] != "land", "floor_area_m2"], errors="coerce").sum()
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(t("app.metric_sites", lang), f"{len(sites):,}")
    c2.metric(t("app.metric_land", lang), f"{land:,.0f}")
    c3.metric(t("app.metric_floor", lang), f"{floor:,.0f}")
    c4.metric(t("data.metric_projects", lang), f"{len(projects):,}")
    c5.metric(t("data.metric_investment", lang), f"{projects['investment_yi'].sum():,.1f}")


def _site_coded(column: str, value: Any, lang: str) -> str:
    try:
        return t(f"{column}.{value}", lang)
    except KeyError:
        return code_label(column, value, lang)


def _safe_name(filename: str) -> str:
    name = PureWindowsPath(str(filename)).name  # drops both / and \ folders a browser may send
    name = "".join(ch for ch in name if ch not in '<>:"|?*\0').strip().lstrip(".")
    return name or "upload"


def _renamed(p: Problem, tmp_prefix: str, name: str) -> Problem:
    if p.file.startswith(tmp_prefix) or not p.file:
        return dataclasses.replace(p, file=name)
    return p


def _renamed_attrs(table: pd.DataFrame, name: str) -> pd.DataFrame:
    if "source_file" in table.attrs:
        table.attrs["source_file"] = name
    return table


def _digest(path: Path) -> str:
    return file_fingerprint(path)["sha256"]


@st.cache_data(show_spinner=False, max_entries=4)
def _load_sample_sites(path: str, digest: str) -> tuple[gpd.GeoDataFrame, state.FileInfo]:
    """The sample sites; cached by content digest (``digest`` is the cache key)."""
    return read_sites(path), state.FileInfo(Path(path).name, Path(path).stat().st_size, digest, True)


@st.cache_data(show_spinner=False, max_entries=4)
def _load_sample_projects(path: str, digest: str) -> tuple[pd.DataFrame, state.FileInfo]:
    """The sample projects; cached by content digest (``digest`` is the cache key)."""
    return read_projects(path), state.FileInfo(Path(path).name, Path(path).stat().st_size, digest, True)
