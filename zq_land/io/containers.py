"""Opening the planners' files safely: size caps, zip archives (zip-slip and zip bombs refused), GIS
containers (GeoPackage, GeoJSON, Shapefile sets, folders) and the rows of CSV and Excel tables.

Every function that can fail writes a problem to the report and returns None; nothing raises for a bad file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io as _io
import os
import shutil
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio

from .._errors import ValidationReport
from .encodings import detect_text_encoding
from .shapefile import prepare_shapefile

SITE_EXTENSIONS = (".gpkg", ".geojson", ".json", ".zip", ".shp")

PROJECT_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm")

#: Zip safety limits: total uncompressed size and compression ratio.
ZIP_MAX_BYTES = 500 * 1024 * 1024

ZIP_MAX_RATIO = 100


def max_input_bytes() -> int:
    """The largest input file accepted: ``ZQ_LAND_MAX_INPUT_MB`` (default 1,024 MB)."""
    try:
        mb = float(os.environ.get("ZQ_LAND_MAX_INPUT_MB", "1024"))
    except ValueError:
        mb = 1024.0
    return int(mb * 2**20)



def size_ok(path: Path, file: str, rep: ValidationReport) -> bool:
    if not path.is_file():
        return True  # folders (.shp sets) are checked part by part by GDAL; missing files elsewhere
    size, limit = path.stat().st_size, max_input_bytes()
    if size > limit:
        rep.error(
            file,
            f"文件 {size / 2**20:,.0f} MB，超过上限 {limit / 2**20:,.0f} MB（ZQ_LAND_MAX_INPUT_MB）",
            f"the file is {size / 2**20:,.0f} MB, over the {limit / 2**20:,.0f} MB limit (ZQ_LAND_MAX_INPUT_MB)",
            found=f"{size} bytes",
        )
        return False
    return True



def zip_sizes_ok(infos: list[zipfile.ZipInfo], file: str, rep: ValidationReport) -> bool:
    """Refuse archives (zipped Shapefiles, and .xlsx, which are zips too) that unpack too big."""
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if total > ZIP_MAX_BYTES:
        rep.error(
            file,
            f"压缩包解压后 {total / 2**20:,.0f} MB，超过上限 {ZIP_MAX_BYTES / 2**20:.0f} MB",
            f"the archive unpacks to {total / 2**20:,.0f} MB, over the {ZIP_MAX_BYTES / 2**20:.0f} MB limit",
            found=f"{total} bytes",
        )
        return False
    # Tiny archives of padded .dbf files compress very well; the ratio matters only when big.
    if total > 10 * 2**20 and total / packed > ZIP_MAX_RATIO:
        rep.error(
            file,
            f"压缩比 {total / packed:,.0f} 超过 {ZIP_MAX_RATIO}，疑似压缩炸弹，拒绝解压",
            f"compression ratio {total / packed:,.0f} is over {ZIP_MAX_RATIO} (a zip bomb?); refused",
            found=f"{total / packed:.0f}",
        )
        return False
    return True



def _safe_extract(archive: Path, dest: Path, file: str, rep: ValidationReport) -> bool:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        rep.error(file, f"不是有效的 zip 压缩包：{short_error(exc)}", f"not a valid zip archive: {short_error(exc)}")
        return False
    with zf:
        infos = zf.infolist()
        bad = [
            i.filename
            for i in infos
            if i.filename.startswith(("/", "\\"))
            or ".." in Path(i.filename.replace("\\", "/")).parts
            or (len(i.filename) > 1 and i.filename[1] == ":")
        ]
        if bad:
            rep.error(
                file,
                f"压缩包含有不安全的路径（绝对路径或 ..）：{', '.join(bad[:5])}，拒绝解压",
                f"the archive holds unsafe paths (absolute or '..'): {', '.join(bad[:5])}; refused",
                found=", ".join(bad[:5]),
            )
            return False
        if not zip_sizes_ok(infos, file, rep):
            return False
        try:
            for info in infos:
                if info.is_dir():
                    continue
                out = dest / info.filename.replace("\\", "/")
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            rep.error(
                file, f"压缩包已损坏，无法解压：{short_error(exc)}", f"the archive is damaged: {short_error(exc)}"
            )
            return False
    return True



def open_vector(
    path: Path,
    file: str,
    encoding: str | None,
    layer: str | None,
    rep: ValidationReport,
    stack: contextlib.ExitStack,
) -> tuple[gpd.GeoDataFrame, bool] | None:
    """Open any accepted container; returns the raw layer and whether headers may be cut at 10 bytes."""
    if not path.exists():
        rep.error(file, "找不到地块文件", "sites file not found", found=str(path))
        return None
    suffix = path.suffix.lower()
    if path.is_dir():
        target = _pick_vector(path, file, layer, rep, recursive=False)
    elif suffix == ".zip":
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zq_land_zip_")))
        if not _safe_extract(path, tmp, file, rep):
            return None
        target = _pick_vector(tmp, file, layer, rep, recursive=True)
    elif suffix in (".shp", ".gpkg", ".geojson", ".json"):
        target = path
    else:
        rep.error(
            file,
            f"不支持的文件类型“{path.suffix}”；可用：GeoPackage (.gpkg)、GeoJSON (.geojson)、"
            "压缩的 Shapefile (.zip)、.shp 或含 .shp 的文件夹",
            f"unsupported file type '{path.suffix}'; accepted: GeoPackage (.gpkg), GeoJSON (.geojson), "
            "zipped Shapefile (.zip), .shp or a folder holding one",
            found=path.suffix,
            expected=", ".join(SITE_EXTENSIONS),
        )
        return None
    if target is None:
        return None
    if target.is_file() and target.stat().st_size == 0:
        rep.error(file, f"文件“{target.name}”是空的（0 字节）", f"file '{target.name}' is empty (0 bytes)")
        return None
    is_shp = target.suffix.lower() == ".shp"
    read_layer = layer
    if is_shp:
        enc = prepare_shapefile(target, file, encoding, rep, stack)
        if enc is None:
            return None
        target, encoding = enc
        read_layer = None
    else:
        read_layer = _pick_layer(target, file, layer, rep)
        if read_layer is None:
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # GeoJSON dates as text, so that a bad date is reported by row and column, not by GDAL
            opts = {"DATE_AS_STRING": "YES"} if target.suffix.lower() in (".geojson", ".json") else {}
            raw = pyogrio.read_dataframe(target, layer=read_layer, encoding=encoding, **opts)
    except Exception as exc:  # GDAL raises many kinds for truncated or foreign files
        rep.error(
            file,
            f"无法读取文件（可能已损坏、被截断或不是 GIS 文件）：{short_error(exc)}",
            f"cannot read the file (damaged, truncated or not a GIS file): {short_error(exc)}",
            found=type(exc).__name__,
        )
        return None
    if not isinstance(raw, gpd.GeoDataFrame):
        rep.error(file, "该图层没有几何（不是空间图层）", "the layer has no geometry (not a spatial layer)")
        return None
    return raw, is_shp



def _pick_vector(
    folder: Path, file: str, layer: str | None, rep: ValidationReport, *, recursive: bool
) -> Path | None:
    pattern = "**/*" if recursive else "*"
    found = sorted(
        p
        for p in folder.glob(pattern)
        if p.is_file() and "__MACOSX" not in p.parts and not p.name.startswith("._")
    )
    shps = [p for p in found if p.suffix.lower() == ".shp"]
    others = [p for p in found if p.suffix.lower() in (".gpkg", ".geojson", ".json")]
    cands = shps or others
    if not cands:
        names = ", ".join(p.name for p in found[:20]) or "-"
        rep.error(
            file,
            f"其中没有 .shp（或 .gpkg/.geojson）文件；找到：{names}",
            f"it holds no .shp (or .gpkg/.geojson) file; found: {names}",
            found=names,
        )
        return None
    if layer is not None and len(cands) > 1:
        hit = [p for p in cands if p.stem == layer or p.name == layer]
        if len(hit) == 1:
            return hit[0]
        names = ", ".join(p.stem for p in cands)
        rep.error(
            file,
            f"找不到图层“{layer}”；可用：{names}",
            f"layer '{layer}' not found; available: {names}",
            found=layer,
            expected=names,
        )
        return None
    if len(cands) > 1:
        names = ", ".join(p.stem for p in cands)
        rep.error(
            file,
            f"包含多个图层：{names}；请指定要读取的图层（layer / --sites-layer）",
            f"it holds several layers: {names}; say which one to read (layer= / --sites-layer)",
            found=names,
        )
        return None
    return cands[0]



def _pick_layer(target: Path, file: str, layer: str | None, rep: ValidationReport) -> str | None:
    try:
        layers = [str(n) for n, _g in pyogrio.list_layers(target)]
    except Exception as exc:
        rep.error(
            file,
            f"无法读取文件（可能已损坏、被截断或不是 GIS 文件）：{short_error(exc)}",
            f"cannot read the file (damaged, truncated or not a GIS file): {short_error(exc)}",
            found=type(exc).__name__,
        )
        return None
    if not layers:
        rep.error(file, "文件中没有图层", "the file holds no layer")
        return None
    if layer is not None:
        if layer in layers:
            return layer
        rep.error(
            file,
            f"找不到图层“{layer}”；可用：{', '.join(layers)}",
            f"layer '{layer}' not found; available: {', '.join(layers)}",
            found=layer,
            expected=", ".join(layers),
        )
        return None
    if len(layers) > 1:
        rep.error(
            file,
            f"包含多个图层：{', '.join(layers)}；请指定要读取的图层（layer / --sites-layer）",
            f"it holds several layers: {', '.join(layers)}; say which one to read (layer= / --sites-layer)",
            found=", ".join(layers),
        )
        return None
    return layers[0]



def csv_rows(path: Path, file: str, encoding: str | None, rep: ValidationReport) -> list[list[Any]] | None:
    data = path.read_bytes()
    if not data.strip():
        rep.error(file, "文件是空的", "the file is empty")
        return None
    if encoding:
        enc = encoding
    elif data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
    else:
        enc = detect_text_encoding([data])
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        row = data[: exc.start].count(b"\n") + 1 if isinstance(exc, UnicodeDecodeError) else None
        at_zh = f"第 {row} 行有无法识别的字节；" if row else ""
        at_en = f"row {row} holds bytes that are not text; " if row else ""
        rep.error(
            file,
            f"{at_zh}无法按 {enc} 解码文件：{short_error(exc)}；请另存为 UTF-8 或 GBK 的 CSV",
            f"{at_en}cannot decode the file as {enc}: {short_error(exc)}; save it as UTF-8 or GBK CSV",
            row=row,
            found=enc,
        )
        return None
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(r) for r in csv.reader(_io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        rep.error(file, f"CSV 格式错误：{short_error(exc)}", f"malformed CSV: {short_error(exc)}")
        return None



#: The widest sheet read: a value beyond this column is refused (a 5 KB workbook whose used range ends at
#: XFD1048576 made openpyxl pad every row to 16,384 cells and exhausted memory).
XLSX_MAX_COLUMNS = 1_024


def xlsx_rows(
    path: Path, file: str, sheet: str | None, rep: ValidationReport, info: dict[str, Any] | None = None
) -> list[list[Any]] | None:
    """The rows of a worksheet, by its real cells (the declared used range is ignored).

    Without ``sheet``, the active sheet when visible, else the first visible one (a hidden first sheet
    holds stale data more often than not). ``info`` receives ``sheet`` (the one read), ``hidden`` (the
    hidden sheets' names) and ``others`` (each other sheet's first rows, for the caller to say when one
    also looks like the list).
    """
    import openpyxl

    try:
        with zipfile.ZipFile(path) as zf:
            if not zip_sizes_ok(zf.infolist(), file, rep):
                return None
    except (zipfile.BadZipFile, OSError):
        pass  # not a zip at all: openpyxl below says so in its own words
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        rep.error(
            file,
            f"无法读取 Excel 文件（已损坏或不是 .xlsx）：{short_error(exc)}",
            f"cannot read the Excel file (damaged or not .xlsx): {short_error(exc)}",
            found=type(exc).__name__,
        )
        return None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            rep.error(
                file,
                f"找不到工作表“{sheet}”；可用：{', '.join(wb.sheetnames)}",
                f"worksheet '{sheet}' not found; available: {', '.join(wb.sheetnames)}",
                column=None,
                found=sheet,
                expected=", ".join(wb.sheetnames),
            )
            return None
        sheets = [ws for ws in wb.worksheets if hasattr(ws, "_get_source")]
        if not sheets:
            rep.error(file, "工作簿中没有工作表", "the workbook holds no worksheet")
            return None
        if sheet is not None:
            ws = wb[sheet]
        else:
            visible = [w for w in sheets if getattr(w, "sheet_state", "visible") == "visible"] or sheets
            active = wb.active
            ws = active if active in visible else visible[0]
        if info is not None:
            info["sheet"] = ws.title
            info["hidden"] = [w.title for w in sheets if getattr(w, "sheet_state", "visible") != "visible"]
            info["others"] = {}
        try:
            rows = _sheet_rows(ws, file, rep)
            if info is not None and rows is not None:
                for other in sheets:
                    if other is not ws:
                        info["others"][other.title] = _sheet_rows(other, file, ValidationReport(), limit=6) or []
        except Exception as exc:  # damaged sheet XML: lxml / ElementTree parse errors, bad cell values
            rep.error(
                file,
                f"工作表“{ws.title}”的内容已损坏，无法读取：{short_error(exc)}",
                f"the worksheet '{ws.title}' is damaged and cannot be read: {short_error(exc)}",
                found=type(exc).__name__,
            )
            return None
        return rows
    finally:
        wb.close()


def _sheet_rows(ws: Any, file: str, rep: ValidationReport, *, limit: int | None = None) -> list[list[Any]] | None:
    """A read-only sheet's rows from its XML, each as long as its last value (empty rows as ``[]``)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    out: list[list[Any]] = []
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=ws.parent.epoch,
                                 date_formats=ws.parent._date_formats,
                                 timedelta_formats=ws.parent._timedelta_formats)
        empty: list[Any] = []
        for idx, cells in parser.parse():
            if limit is not None and idx > limit:
                break
            values = {c["column"]: c["value"] for c in cells if c.get("value") is not None}
            if not values:
                continue
            far = max(values)
            if far > XLSX_MAX_COLUMNS:
                from openpyxl.utils import get_column_letter

                rep.error(
                    file,
                    f"工作表“{ws.title}”第 {idx} 行在第 {get_column_letter(far)} 列有数据，"
                    f"超过 {XLSX_MAX_COLUMNS} 列上限",
                    f"the worksheet '{ws.title}' holds a value in column {get_column_letter(far)} of row {idx}, "
                    f"beyond the {XLSX_MAX_COLUMNS}-column limit",
                    row=idx,
                    found=get_column_letter(far),
                )
                return None
            while len(out) < idx - 1:
                out.append(empty)  # one shared empty row per gap: a far-away row costs 8 bytes per gap row
            row = [None] * far
            for col, v in values.items():
                row[col - 1] = v
            out.append(row)
    return out


def file_fingerprint(path: str | Path) -> dict[str, str]:
    """Path, size and SHA-256 of an input file (for the audit copy of a scenario)."""
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(p.rglob("*")):
            if f.is_file():
                h.update(f.name.encode())
                h.update(f.read_bytes())
        size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    else:
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        size = p.stat().st_size
    return {"path": str(p.resolve()), "bytes": str(size), "sha256": h.hexdigest()}



def short_error(exc: BaseException) -> str:
    text = unicodedata.normalize("NFKC", str(exc)).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
