"""The brief as an editable Word file (python-docx), in the house style of Chinese government documents.

GB/T 9704-2012 sets the look: A4, margins 37/35/28/26 mm, title in 小标宋 二号 (22 pt), first-level
headings in 黑体 三号 (16 pt), second-level in 楷体 三号, body in 仿宋 三号 on a fixed 28 pt line, page
numbers "— 1 —" in 宋体 四号 (14 pt) at the outer edge of the footer. Long tables drop to 五号/小五. Fonts are
named with their East Asian attribute (``w:eastAsia``) and declared in the font table with GB2312's
character set and the name Windows ships as a substitute (``w:altName``), so that Word and WPS on a
planner's PC show them. Headings, captions, tables and pictures are real Word objects: the planner edits
the brief rather than retyping it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from .document import Brief, Figure, Heading, Paragraph, SignOff, Table

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
LATIN_HEADING_FONT = "Arial"  # headings of the English brief
#: Fonts of the brief -> the name Windows ships them under when the GB2312 edition is missing.
FONT_ALT_NAMES = {TITLE_FONT: "宋体", HEADING_FONT: "SimHei", HEADING2_FONT: "楷体", BODY_FONT: "仿宋",
                  PAGE_NUMBER_FONT: "SimSun"}
PAGE_W_CM, PAGE_H_CM = 21.0, 29.7
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
TEXT_WIDTH_CM = PAGE_W_CM - MARGINS_CM["left"] - MARGINS_CM["right"]  # 15.6 cm
BODY_PT, TITLE_PT, TABLE_PT, SMALL_TABLE_PT, NOTE_PT, PAGE_NO_PT = 16, 22, 10.5, 9, 12, 14
LINE_PT = 28  # GB/T 9704: 22 lines of 28 characters on the page


def brief_docx_bytes(brief: Brief) -> bytes:
    """The brief as a ``.docx`` file."""
    doc = Document()
    zh = brief.lang == "zh"
    _page_setup(doc)
    _styles(doc, zh=zh)
    _font_table(doc)
    _footers(doc)
    props = doc.core_properties
    props.title = brief.properties.get("title", brief.title)
    props.subject = brief.properties.get("subject", "")
    props.language = brief.properties.get("language", "")
    props.author = ""
    props.comments = ""
    props.keywords = ""
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(p)
    _title(doc, brief)
    for block in brief.blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            doc.add_paragraph(block.text, style=_STYLE_NOTE if block.small else None if block.indent else _STYLE_PLAIN)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block)
        elif isinstance(block, SignOff):
            _signoff(doc, block)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- layout ---------------------------------------------------------------------------------------

_STYLE_PLAIN = "Body Text"  # body text without the first-line indent
_STYLE_NOTE = "Note"
_STYLE_CELL = "Table Text"
_STYLE_CELL_SMALL = "Table Text Small"
_STYLE_HEAD = "Table Heading"
_STYLE_HEAD_SMALL = "Table Heading Small"
_STYLE_TITLE_SUB = "Subtitle"
_STYLE_DATELINE = "Date Line"
_STYLE_CAPTION = "Caption"
_STYLE_FIGURE = "Figure"
#: Chinese names of the brief's own styles, as the Word style pane shows them.
_STYLE_NAMES_ZH = {_STYLE_NOTE: "注释", _STYLE_CELL: "表格文字", _STYLE_CELL_SMALL: "表格文字（小）",
                   _STYLE_HEAD: "表头", _STYLE_HEAD_SMALL: "表头（小）", _STYLE_DATELINE: "日期行",
                   _STYLE_FIGURE: "插图"}


def _page_setup(doc: DocxDocument) -> None:
    sec = doc.sections[0]
    sec.start_type = WD_SECTION_START.NEW_PAGE
    sec.page_width, sec.page_height = Cm(PAGE_W_CM), Cm(PAGE_H_CM)
    sec.top_margin, sec.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    sec.left_margin, sec.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    sec.header_distance, sec.footer_distance = Cm(1.5), Cm(2.5)


def _styles(doc: DocxDocument, *, zh: bool) -> None:
    def _font(style: BaseStyle, east_asia: str, size_pt: float, *, bold: bool | None = None) -> None:
        _style_font(style, east_asia, size_pt, bold=bold, zh=zh)

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the template's defaults name theme fonts (Japanese ones for East Asian text)
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _fonts_on(rpr, BODY_FONT, zh=zh)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "zh-CN" if zh else "en-GB")
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = styles["Normal"]
    _font(normal, BODY_FONT, BODY_PT)
    _spacing(normal, line_pt=LINE_PT, first_line=True)
    plain = styles[_STYLE_PLAIN]
    plain.base_style = normal
    _font(plain, BODY_FONT, BODY_PT)
    _spacing(plain, line_pt=LINE_PT, first_line=False)
    for level, face in ((1, HEADING_FONT), (2, HEADING2_FONT)):
        h = styles[f"Heading {level}"]
        _font(h, face, BODY_PT, bold=False)
        _spacing(h, line_pt=LINE_PT, first_line=zh, before=6 if level == 1 else 0)
        h.paragraph_format.keep_with_next = True
    title = styles["Title"]
    _font(title, TITLE_FONT, TITLE_PT, bold=False)
    _spacing(title, line_pt=36, first_line=False, after=0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _no_border(title)
    sub = styles[_STYLE_TITLE_SUB]
    _font(sub, HEADING2_FONT, BODY_PT, bold=False)
    _spacing(sub, line_pt=LINE_PT, first_line=False)
    sub.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name, face, size, line, align, base in (
        (_STYLE_DATELINE, BODY_FONT, BODY_PT, LINE_PT, WD_ALIGN_PARAGRAPH.CENTER, normal),
        (_STYLE_NOTE, BODY_FONT, NOTE_PT, 20, WD_ALIGN_PARAGRAPH.JUSTIFY, normal),
        (_STYLE_CELL, BODY_FONT, TABLE_PT, None, None, normal),
        (_STYLE_CELL_SMALL, BODY_FONT, SMALL_TABLE_PT, None, None, normal),
        (_STYLE_HEAD, HEADING_FONT, TABLE_PT, None, WD_ALIGN_PARAGRAPH.CENTER, normal),
        (_STYLE_HEAD_SMALL, HEADING_FONT, SMALL_TABLE_PT, None, WD_ALIGN_PARAGRAPH.CENTER, normal),
        (_STYLE_FIGURE, BODY_FONT, BODY_PT, None, WD_ALIGN_PARAGRAPH.CENTER, normal),
    ):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = base
        st.quick_style = name in (_STYLE_NOTE, _STYLE_CELL)
        if zh and name in _STYLE_NAMES_ZH:
            _aliases(st, _STYLE_NAMES_ZH[name])
        _font(st, face, size)
        _spacing(st, line_pt=line, first_line=False, before=3 if name == _STYLE_NOTE else 0,
                 after=6 if name == _STYLE_NOTE else 0)
        if align is not None:
            st.paragraph_format.alignment = align
    cap = styles[_STYLE_CAPTION]
    _font(cap, HEADING_FONT, NOTE_PT, bold=False)
    _spacing(cap, line_pt=None, first_line=False, before=3, after=9)
    cap.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = styles["Footer"]
    _font(footer, PAGE_NUMBER_FONT, PAGE_NO_PT)


def _style_font(style: BaseStyle, east_asia: str, size_pt: float, *, bold: bool | None, zh: bool) -> None:
    f = style.font  # type: ignore[attr-defined]
    f.size = Pt(size_pt)
    f.color.rgb = RGBColor(0, 0, 0)
    f.italic = False
    if bold is not None:
        f.bold = bold
    rpr = style.element.get_or_add_rPr()
    _fonts_on(rpr, east_asia, zh=zh)


def _fonts_on(rpr: object, east_asia: str, *, zh: bool) -> None:
    """Name ``east_asia`` for Chinese text and a font for Latin text and digits; no theme fonts.

    In the Chinese brief, titles and headings keep their own face for digits (as in "一、" and "2022年");
    body text uses Times New Roman. The English brief sets Latin text in Times New Roman and Arial.
    """
    rfonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)  # type: ignore[attr-defined]
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    if east_asia in (BODY_FONT, PAGE_NUMBER_FONT):
        latin = LATIN_FONT
    elif zh:
        latin = east_asia
    else:
        latin = LATIN_FONT if east_asia == TITLE_FONT else LATIN_HEADING_FONT
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _spacing(style: BaseStyle, *, line_pt: float | None, first_line: bool, before: float = 0,
             after: float = 0) -> None:
    pf = style.paragraph_format  # type: ignore[attr-defined]
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line_pt is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    pf.first_line_indent = Pt(2 * BODY_PT) if first_line else Pt(0)
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is not None and first_line:  # two characters, as Word and WPS count them
        ind.set(qn("w:firstLineChars"), "200")


def _aliases(style: BaseStyle, name: str) -> None:
    el = OxmlElement("w:aliases")
    el.set(qn("w:val"), name)
    style.element.insert(1, el)


def _no_border(style: BaseStyle) -> None:
    ppr = style.element.get_or_add_pPr()
    for child in ppr.findall(qn("w:pBdr")):
        ppr.remove(child)


def _font_table(doc: DocxDocument) -> None:
    """Declare the Chinese fonts with the GB2312 character set and their Windows substitutes."""
    part = doc.part
    fonts = None
    for rel in part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            fonts = rel.target_part
    if fonts is None:
        return
    from docx.oxml import parse_xml

    root = parse_xml(fonts.blob)
    for name, alt in FONT_ALT_NAMES.items():
        f = OxmlElement("w:font")
        f.set(qn("w:name"), name)
        a = OxmlElement("w:altName")
        a.set(qn("w:val"), alt)
        f.append(a)
        for tag, val in (("w:charset", "86"), ("w:family", "modern" if name == HEADING_FONT else "roman"),
                         ("w:pitch", "variable")):
            e = OxmlElement(tag)
            e.set(qn("w:val"), val)
            f.append(e)
        root.append(f)
    from lxml import etree

    fonts._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _footers(doc: DocxDocument) -> None:
    """"— 1 —" at the outer edge: right on odd pages, left on even ones, a character in from the margin."""
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["Footer"]
        p.alignment = align
        pf = p.paragraph_format
        pf.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            pf.right_indent = Pt(PAGE_NO_PT)
        else:
            pf.left_indent = Pt(PAGE_NO_PT)
        p.add_run("— ")
        _page_field(p)
        p.add_run(" —")


def _page_field(p: DocxParagraph) -> None:
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = p.add_run()
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""


def _title(doc: DocxDocument, brief: Brief) -> None:
    doc.add_paragraph(brief.title, style="Title")
    doc.add_paragraph(brief.subtitle, style=_STYLE_TITLE_SUB)
    doc.add_paragraph(brief.dateline, style=_STYLE_DATELINE)
    doc.add_paragraph("", style=_STYLE_PLAIN)


def _table(doc: DocxDocument, block: Table) -> None:
    cols = len(block.header)
    t = doc.add_table(rows=1 + len(block.rows), cols=cols)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    total = sum(block.widths)
    widths = [Emu(int(Cm(TEXT_WIDTH_CM) * wd / total)) for wd in block.widths]
    for gc, wd in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
        gc.w = wd
    cell_style = doc.styles[_STYLE_CELL_SMALL if block.small else _STYLE_CELL]
    head_style = doc.styles[_STYLE_HEAD_SMALL if block.small else _STYLE_HEAD]
    trs = t._tbl.tr_lst
    _header_row(trs[0])
    _write_row(t, trs[0], block.header, widths, head_style, ["center"] * cols)
    merged = _merge_runs(block.rows, block.merge)
    for tr, values, starts in zip(trs[1:], block.rows, merged, strict=True):
        _cant_split(tr)
        shown = [("" if j < block.merge and not starts[j] else v) for j, v in enumerate(values)]
        cells = _write_row(t, tr, shown, widths, cell_style, list(block.align))
        for j in range(block.merge):
            cells[j]._tc.vMerge = "restart" if starts[j] else "continue"
            cells[j].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    doc.add_paragraph("", style=_STYLE_NOTE)


def _write_row(table: DocxTable, tr: CT_Row, values: Sequence[str], widths: Sequence[Length], style: BaseStyle,
               align: Sequence[str]) -> list[_Cell]:
    style_id = style.style_id
    cells = [_Cell(tc, table) for tc in tr.tc_lst]
    for cell, value, wd, al in zip(cells, values, widths, align, strict=True):
        cell.width = wd
        p = cell.paragraphs[0]
        p._p.get_or_add_pPr().style = style_id  # python-docx's ``p.style = ...`` takes 5 ms a cell
        if al != "left":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if al == "center" else WD_ALIGN_PARAGRAPH.RIGHT
        lines = str(value).split("\n")
        run = p.add_run(lines[0])
        for line in lines[1:]:
            run.add_break(WD_BREAK.LINE)
            run.add_text(line)
    return cells


def _merge_runs(rows: Sequence[Sequence[str]], merge: int) -> list[list[bool]]:
    """Per row and merged column: whether a run of equal cells starts there (column j's run nests in j-1's)."""
    out: list[list[bool]] = []
    prev: Sequence[str] | None = None
    for row in rows:
        starts: list[bool] = []
        for j in range(merge):
            starts.append(prev is None or row[j] != prev[j] or (j > 0 and starts[j - 1]))
        out.append(starts)
        prev = row
    return out


def _header_row(tr: CT_Row) -> None:
    _cant_split(tr)
    tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page


def _cant_split(tr: CT_Row) -> None:
    trpr = tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _figure(doc: DocxDocument, block: Figure) -> None:
    p = doc.add_paragraph(style=_STYLE_FIGURE)
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, TEXT_WIDTH_CM)))
    doc.add_paragraph(block.caption, style=_STYLE_CAPTION)


def _signoff(doc: DocxDocument, block: SignOff) -> None:
    doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the heading "审签" above it
    t = doc.add_table(rows=len(block.rows), cols=3)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Emu(int(Cm(w))) for w in (2.6, 6.0, 5.0)]
    for gc, wd in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
        gc.w = wd
    style = doc.styles[_STYLE_PLAIN]
    for k, (tr, (role, name, date)) in enumerate(zip(t._tbl.tr_lst, block.rows, strict=True)):
        _cant_split(tr)
        cells = _write_row(t, tr, (role, name, date), widths, style, ["left", "left", "left"])
        _bottom_border(cells[1])
        tr.get_or_add_trPr().append(_row_height(Pt(LINE_PT * 1.6)))
        for cell in cells:  # the three lines of signatures stay on one page, with the note under them
            cell.paragraphs[0].paragraph_format.keep_with_next = k < len(block.rows)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM  # written on the line
    doc.add_paragraph(block.note, style=_STYLE_NOTE)


def _bottom_border(cell: _Cell) -> None:
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    cell._tc.get_or_add_tcPr().append(borders)


def _row_height(height: Length) -> BaseOxmlElement:
    el = OxmlElement("w:trHeight")
    el.set(qn("w:val"), str(int(height / 635)))  # EMU -> twentieths of a point
    el.set(qn("w:hRule"), "atLeast")
    return el

