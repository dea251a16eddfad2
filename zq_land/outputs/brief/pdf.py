"""The brief as PDF: LibreOffice (headless) converts the Word file, so both formats share one layout.

Rendering the document model a second time (with reportlab, say) would make two layouts to keep alike,
and reportlab embeds only TrueType outlines, which rules out the Noto CJK fonts. LibreOffice lays out
the very ``.docx`` the planner may edit, and embeds the subsets of the fonts it used. The government
fonts the brief names (方正小标宋简体, 黑体, 楷体_GB2312, 仿宋_GB2312) are rarely installed on a Linux server:
a private fontconfig file, used only by the conversion, maps them to the free CJK fonts of Debian
(fonts-noto-cjk; fonts-arphic-ukai for 楷体; fonts-wqy-zenhei as the last resort); where the real fonts
are installed they win. Each conversion runs with its own LibreOffice profile in a temporary folder,
so concurrent conversions (two app sessions) cannot block each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..._errors import ZqLandError

#: Government font -> free fonts tried after it, best first.
FONT_SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
    "黑体": ("Noto Sans CJK SC", "WenQuanYi Zen Hei"),
    "SimHei": ("Noto Sans CJK SC", "WenQuanYi Zen Hei"),
    "楷体_GB2312": ("AR PL UKai CN", "Noto Serif CJK SC", "WenQuanYi Zen Hei"),
    "楷体": ("AR PL UKai CN", "Noto Serif CJK SC", "WenQuanYi Zen Hei"),
    "仿宋_GB2312": ("Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
    "仿宋": ("Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
    "宋体": ("Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
    "SimSun": ("Noto Serif CJK SC", "AR PL UMing CN", "WenQuanYi Zen Hei"),
}
#: The title face is heavy; its stand-in is the bold cut of Noto Serif CJK.
BOLD_STAND_INS = ("方正小标宋简体",)
#: PDF/A-2b: every font embedded, the file fit for the archive of a review meeting.
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps({"SelectPdfVersion": {"type": "long", "value": "2"}})
TIMEOUT_S = 180.0


class PdfUnavailableError(ZqLandError):
    """LibreOffice is not installed, or it failed to convert the brief."""


def soffice_path() -> str | None:
    """The LibreOffice program, or None when it is not installed (``ZQ_LAND_SOFFICE`` overrides)."""
    env = os.environ.get("ZQ_LAND_SOFFICE")
    if env:
        return env if Path(env).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, *, timeout_s: float = TIMEOUT_S) -> bytes:
    """The PDF of a ``.docx`` as LibreOffice lays it out, with the CJK fonts embedded.

    Raises
    ------
    PdfUnavailableError
        When LibreOffice is missing, times out or writes no PDF.
    """
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailableError(
            "未安装 LibreOffice，无法生成 PDF；可先生成 Word 文件（.docx），或安装 Debian 软件包 "
            "libreoffice-writer-nogui / LibreOffice is not installed, so no PDF can be made: make the "
            ".docx, or install the Debian package libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="zq_land_brief_") as tmp:
        folder = Path(tmp)
        src = folder / "brief.docx"
        src.write_bytes(docx)
        conf = folder / "fonts.conf"
        conf.write_text(fontconfig_xml(), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(folder), "SAL_USE_VCLPLUGIN": "svp"}
        cmd = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--convert-to", PDF_FILTER,
               "--outdir", str(folder), str(src)]
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailableError(f"LibreOffice 转换超时（{timeout_s:g} 秒） / LibreOffice timed out "
                                      f"after {timeout_s:g} s") from None
        pdf = folder / "brief.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            why = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-400:]
            raise PdfUnavailableError(f"LibreOffice 未能生成 PDF（退出码 {done.returncode}） / LibreOffice made no "
                                      f"PDF (exit code {done.returncode}): {why}")
        return pdf.read_bytes()


def fontconfig_xml() -> str:
    """A fontconfig file: the system's configuration, then the brief's font substitutes."""
    parts = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">', "<fontconfig>",
             '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>']
    for family, subs in FONT_SUBSTITUTES.items():
        accept = "".join(f"<family>{s}</family>" for s in subs)
        parts.append(f'  <alias binding="same"><family>{family}</family><accept>{accept}</accept></alias>')
    for family in BOLD_STAND_INS:
        parts.append(f'  <match target="pattern"><test name="family"><string>{family}</string></test>'
                     '<edit name="weight" mode="assign"><const>bold</const></edit></match>')
    parts.append("</fontconfig>")
    return "\n".join(parts) + "\n"
