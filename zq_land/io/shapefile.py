"""Shapefiles from Chinese GIS: the parts a layer needs, the ``.dbf`` encoding, and field names cut at 10 bytes.

Without a ``.cpg`` the encoding is detected from the ``.dbf``'s own bytes (UTF-8 or GB18030); a UTF-8
field name cut mid-character at 10 bytes is trimmed to whole characters in a temporary copy.
"""

from __future__ import annotations

import codecs
import contextlib
import shutil
import struct
import tempfile
from pathlib import Path

from .._errors import ValidationReport
from .encodings import cpg_to_codec, detect_text_encoding


def prepare_shapefile(
    shp: Path, file: str, encoding: str | None, rep: ValidationReport, stack: contextlib.ExitStack
) -> tuple[Path, str] | None:
    """Check a Shapefile's parts, choose its encoding, and repair cut UTF-8 field names."""
    parts = {p.suffix.lower(): p for p in shp.parent.glob(shp.stem + ".*") if p.stem == shp.stem}
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        rep.error(
            file,
            f"Shapefile“{shp.name}”缺少组成文件：{', '.join(missing)}",
            f"Shapefile '{shp.name}' lacks its {', '.join(missing)} part",
            found=", ".join(missing),
        )
        return None
    dbf = parts[".dbf"]
    header = _dbf_fields(dbf)
    if header is None:
        rep.error(
            file,
            f"“{dbf.name}”不是有效的 dBase 属性表（已损坏或被截断）",
            f"'{dbf.name}' is not a valid dBase attribute table (damaged or truncated)",
        )
        return None
    names, text_bytes = header
    enc = encoding
    if enc is None and ".cpg" in parts:
        enc = cpg_to_codec(parts[".cpg"].read_text(encoding="ascii", errors="ignore"))
    if enc is None:
        enc = detect_text_encoding([*(_utf8_trimmed(n) for n in names), *text_bytes])
    fixed = [_trim_to_codec(n, enc) for n in names]
    if fixed != names:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zq_land_shp_")))
        for ext, p in parts.items():
            if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj"):
                shutil.copy(p, tmp / p.name)
        _rewrite_dbf_names(tmp / dbf.name, fixed)
        shp = tmp / shp.name
    return shp, enc


def _dbf_fields(dbf: Path, max_records: int = 5000) -> tuple[list[bytes], list[bytes]] | None:
    """Raw field names and the bytes of text fields of the first records of a .dbf."""
    try:
        with dbf.open("rb") as fh:
            head = fh.read(32)
            if len(head) < 32:
                return None
            n_rec, hlen, rlen = struct.unpack("<IHH", head[4:12])
            desc = fh.read(max(hlen - 32, 0))
            names: list[bytes] = []
            text_slices: list[tuple[int, int]] = []
            offset = 1
            for i in range(0, len(desc) - 31, 32):
                d = desc[i : i + 32]
                if d[0] == 0x0D:
                    break
                names.append(d[:11].split(b"\x00")[0])
                length = d[16]
                if d[11:12] == b"C":
                    length = d[16] + 256 * d[17]
                    text_slices.append((offset, length))
                offset += length
            body = fh.read(rlen * min(n_rec, max_records))
    except OSError:
        return None
    chunks: list[bytes] = []
    for r in range(0, len(body) - rlen + 1, max(rlen, 1)):
        rec = body[r : r + rlen]
        chunks.extend(rec[o : o + n].rstrip(b" \x00") for o, n in text_slices)
    return names, [c for c in chunks if c]


def _utf8_trimmed(name: bytes) -> bytes:
    # A UTF-8 name cut at 10 bytes ends with a partial character: drop it before testing.
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        dec.decode(name, final=False)
    except UnicodeDecodeError:
        return name
    for cut in range(0, 4):
        with contextlib.suppress(UnicodeDecodeError):
            (name[: len(name) - cut] if cut else name).decode("utf-8")
            return name[: len(name) - cut] if cut else name
    return name


def _trim_to_codec(name: bytes, enc: str) -> bytes:
    for cut in range(0, 4):
        part = name[: len(name) - cut] if cut else name
        try:
            part.decode(enc)
            return part
        except (UnicodeDecodeError, LookupError):
            continue
    return name


def _rewrite_dbf_names(dbf: Path, names: list[bytes]) -> None:
    data = bytearray(dbf.read_bytes())
    for i, name in enumerate(names):
        start = 32 + 32 * i
        data[start : start + 11] = name[:10].ljust(11, b"\x00")
    dbf.write_bytes(bytes(data))
