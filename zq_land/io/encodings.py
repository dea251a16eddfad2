"""Text encodings of planners' files: UTF-8 or GB18030 (GBK) detection, Shapefile ``.cpg`` values.
"""

from __future__ import annotations

from collections.abc import Iterable


def detect_text_encoding(chunks: Iterable[bytes]) -> str:
    """``utf-8`` or ``gb18030`` (a superset of GBK/GB2312) for text from a Chinese office.

    ``gb18030`` when a chunk is not valid UTF-8, and also when it is but only the GB18030 reading gives
    Chinese characters: short GBK text can be valid UTF-8 by chance (平台 = C6BD CCA8 reads as 'ƽ̨').
    """
    chunks = list(chunks)
    for chunk in chunks:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            return "gb18030"
    data = b"".join(chunks)
    if any(b >= 0x80 for b in data):
        as_utf8 = data.decode("utf-8")
        try:
            as_gb = data.decode("gb18030")
        except UnicodeDecodeError:
            return "utf-8"
        if _cjk_share(as_gb) > 0.9 and _cjk_share(as_utf8) < 0.5:
            return "gb18030"
    return "utf-8"



def _cjk_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are CJK ideographs or CJK punctuation."""
    high = [ch for ch in text if ord(ch) >= 0x80]
    if not high:
        return 0.0
    cjk = sum(1 for ch in high if 0x3000 <= ord(ch) <= 0x9FFF or 0xFF00 <= ord(ch) <= 0xFFEF)
    return cjk / len(high)



def cpg_to_codec(text: str) -> str | None:
    """Python codec for a Shapefile ``.cpg`` value (``UTF-8``, ``GBK``, ``936``, ``ANSI 936``...)."""
    t = text.strip().upper().replace("ANSI", "").replace("CP", "").strip()
    if not t:
        return None
    known = {
        "65001": "utf-8",
        "UTF8": "utf-8",
        "UTF-8": "utf-8",
        "936": "gb18030",
        "GBK": "gb18030",
        "GB2312": "gb18030",
        "GB18030": "gb18030",
        "54936": "gb18030",
        "950": "big5",
        "BIG5": "big5",
        "1252": "cp1252",
        "88591": "latin-1",
        "8859-1": "latin-1",
        "ISO-8859-1": "latin-1",
        "ISO8859-1": "latin-1",
        "ISO88591": "latin-1",
    }
    if t in known:
        return known[t]
    import codecs

    try:
        return codecs.lookup(t.lower()).name
    except LookupError:
        return None
