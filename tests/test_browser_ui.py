"""Real-browser test of the app as a planner reads it (issue 16): every page in Chinese and in English is
scanned for words of the other language and raw codes, screenshots of each page are saved for review, every
plot of the sample shows its projects when zoomed in, a click on a plot and the map's search select it in the
panel beside the map. Interaction times are measured and reported (``test-output/browser/timings.json``),
not asserted: the machine running the tests is shared.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from test_browser import CHROMIUM, OUT_DIR, map_frame, offline_page, running_app, wait_for_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]

#: Latin words a Chinese page may show: names of formats and services, the product's own name, and the two
#: words of the language switch ("语言 / Language", "English").
ZH_ALLOWED: frozenset[str] = frozenset({
    "excel", "csv", "geojson", "osm", "openstreetmap", "zip", "html", "word", "pdf", "xlsx", "toml", "gpkg",
    "geopackage", "shapefile", "shp", "leaflet", "zq_land", "language", "english", "postgis", "dask", "tk", "json",
    "a", "b", "c", "d",  # 方案 A/B, phases in names (一期C区), the per-mu grades A-D (亩均 D 级)
    "km", "m",  # the map's scale bar (SI symbols)
})
#: The names of the sample's files, shown as the planner's files are (data, not words of the UI).
FILE_NAMES: frozenset[str] = frozenset({"zhaoqing_hitech", "projects_2022"})
#: Codes that must never show (either language): the tool's coded values.
RAW_CODE = re.compile(r"(?<![\w])(?:[a-z]+_[a-z0-9_]+|None|nan|NaN)(?![\w])")
ASCII_PUNCT_BY_CJK = re.compile(r"[\u4e00-\u9fff][:;,?!()]|[:;,?!()][\u4e00-\u9fff]")
CJK = re.compile(r"[\u4e00-\u9fff]")
TABS = {"zh": ["数据", "情景", "结果", "对比", "方案记录", "不确定性", "时间轴"],
        "en": ["Data", "Scenario", "Results", "Compare", "Runs", "Uncertainty", "Timeline"]}


def page_text(page: Any) -> str:
    """The visible text of the app's main area and sidebar: Streamlit's toolbar and its icons (drawn from a font
    of ligatures such as ``keyboard_arrow_right``, not read as words) left out."""
    return str(page.evaluate("""() => {
        var icons = Array.prototype.slice.call(document.querySelectorAll('[data-testid="stIconMaterial"]'));
        icons.forEach(function (e) { e.dataset.zqDisplay = e.style.display; e.style.display = "none"; });
        var parts = ['[data-testid="stSidebar"]', '[data-testid="stMain"]'].map(function (sel) {
            var el = document.querySelector(sel);
            return el ? el.innerText : "";
        });
        icons.forEach(function (e) { e.style.display = e.dataset.zqDisplay; });
        return parts.join("\\n");
    }"""))


def stray_words(text: str, lang: str) -> list[str]:
    """What a planner should not read in ``lang``: raw codes; in Chinese any other Latin word and ASCII
    punctuation beside Chinese; in English Chinese characters in the app's own labels (checked by caller)."""
    found = [m.group(0) for m in RAW_CODE.finditer(text) if m.group(0) not in {"zq_land", *FILE_NAMES}]
    if lang == "zh":
        for m in re.finditer(r"[A-Za-z0-9_\-.]+", text):
            tok = m.group(0).strip(".-")
            if tok.rsplit(".", 1)[0] in FILE_NAMES:
                continue
            if not re.search(r"[A-Za-z]", tok) or re.search(r"\d", tok):
                continue  # numbers, ids (P012, ZQ-L01) and units with digits (m2)
            if tok.lower() not in ZH_ALLOWED:
                found.append(tok)
        found += [m.group(0) for m in ASCII_PUNCT_BY_CJK.finditer(text)]
    return found


def timed(label: str, timings: dict[str, float], action: Any, until: Any) -> None:
    t0 = time.perf_counter()
    action()
    until()
    timings[label] = round(time.perf_counter() - t0, 3)


def test_every_page_reads_whole_in_both_languages_and_the_map_selects() -> None:
    timings: dict[str, float] = {}
    findings: dict[str, list[str]] = {}
    errors: list[str] = []
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with running_app() as url, offline_page() as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(url, wait_until="domcontentloaded")
        wait_for_text(page, "肇庆高新区产业用地配置")
        map_frame(page)
        page.get_by_role("tab", name="情景").click()
        page.get_by_role("button", name="运行求解").click()
        wait_for_text(page, "已证明最优")
        frame = map_frame(page)
        # offline, the plots sit on the districts and the zone's extent (no tiles load)
        assert frame.locator("path.zq-context").count() >= 2
        assert "肇庆高新区（公布范围）" in frame.locator(".zq-context-label").all_inner_texts()

        # --- every plot shows its projects when zoomed in (the page's own label data) --------------
        frame.wait_for_function("""() => { var n = 0; if (!window.zqMap || !zqMap.map) { return false; }
            zqMap.map.eachLayer(function (l) { if (l.zqItem && l.zqItem[4] && l.zqItem[4].length) { n++; } });
            return n >= 10; }""", timeout=30_000)
        page.wait_for_timeout(500)
        n_labels = frame.evaluate("""() => { var n = 0; zqMap.labels = [];
            zqMap.map.eachLayer(function (l) {
                if (l.zqItem && l.zqItem[4] && l.zqItem[4].length) { zqMap.labels.push(l); }
            });
            return zqMap.labels.length; }""")
        missing: list[str] = []
        for k in range(n_labels):
            frame.evaluate("(k) => zqMap.map.setView(zqMap.labels[k].getLatLng(), 17, {animate: false})", k)
            page.wait_for_timeout(100)  # the labels follow the zoom, then overlapping ones are hidden
            missing += frame.evaluate("""(k) => {
                var m = zqMap.labels[k], el = m.getElement().firstChild, out = [];
                var shown = el.style.display !== "none" && el.style.visibility !== "hidden";
                m.zqItem[4].slice(0, 20).forEach(function (n) {
                    if (!shown || el.innerText.indexOf(n) < 0) { out.push(m.zqItem[2] + ": " + n); }
                });
                return out;
            }""", k)
        assert n_labels >= 10 and missing == [], missing
        frame.evaluate("zqMap.map.setZoom(13, {animate: false})")

        # --- a click on a plot selects it in the panel ---------------------------------------------
        target = frame.evaluate("""() => {
            var best = null;
            zqMap.map.eachLayer(function (l) {
                if (l.zqItem && l.zqItem[4] && l.zqItem[4].length && !l.zqItem[3] && !best) { best = l; }
            });
            zqMap.map.setView(best.getLatLng(), 16, {animate: false});
            return {name: best.zqItem[2], id: best.zqItem[5]};
        }""")
        frame.frame_element().scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        target.update(frame.evaluate("""(id) => {
            var ll = null;
            zqMap.map.eachLayer(function (l) { if (l.zqItem && l.zqItem[5] === id) { ll = l.getLatLng(); } });
            return zqMap.map.latLngToContainerPoint(ll);
        }""", target["id"]))
        box = frame.frame_element().bounding_box()
        label = f"{target['name']}（{target['id']}）"
        timed("click a plot -> panel shows it", timings,
              lambda: page.mouse.click(box["x"] + target["x"], box["y"] + target["y"]),
              lambda: wait_for_text(page, label, timeout_ms=30_000))
        wait_for_text(page, "该地块上的项目")

        # --- the map's search finds a project and selects its plot ---------------------------------
        frame = map_frame(page)
        name, sid, site = frame.evaluate("""(skip) => {
            var found = null;
            zqMap.map.eachLayer(function (l) {
                if (!found && l.zqItem && l.zqItem[4] && l.zqItem[4].length && l.zqItem[2] !== skip) {
                    found = l;
                }
            });
            return [found.zqItem[4][0], found.zqItem[5], found.zqItem[2]];
        }""", target["name"])
        box_ = frame.locator(".zq-search-input")
        box_.fill(name)
        popup = frame.locator(".leaflet-popup-content", has_text=name).first  # the one it opens (the last fades)
        timed("search a project -> its plot's popup", timings, lambda: box_.press("Enter"),
              lambda: popup.wait_for(timeout=10_000))
        if site != target["name"]:
            wait_for_text(page, f"{site}（{sid}）", timeout_ms=30_000)
        page.screenshot(path=str(OUT_DIR / "ui_results_selected_zh.png"), full_page=False)

        # --- every page, in both languages: read it as a planner would -----------------------------
        for lang in ("zh", "en"):
            if lang == "en":
                timed("switch to English", timings,
                      lambda: page.get_by_text("English", exact=True).first.click(),
                      lambda: wait_for_text(page, "Zhaoqing High-tech Zone land and factory allocation"))
            for i, tab in enumerate(TABS[lang]):
                timed(f"open page {tab} (with 0.2 s to settle)", timings,
                      lambda tab=tab: page.get_by_role("tab", name=tab).click(),
                      lambda: page.wait_for_timeout(200))
                page.wait_for_load_state("networkidle")
                if tab == "对比":  # run the recorded and the optimised plan: the difference map with its arrows
                    page.get_by_role("button", name="运行“2022 按记录”与“重新优化”并对比").click()
                    deadline = time.monotonic() + 90
                    arrows = 0
                    while time.monotonic() < deadline and not arrows:
                        page.wait_for_timeout(500)
                        for fr in page.frames:
                            if "streamlit_folium" in fr.url:
                                arrows = max(arrows, fr.locator("path.zq-arrow").count())
                    assert arrows >= 1, "the difference map draws no arrow for the projects that moved"
                page.wait_for_timeout(300)
                page.screenshot(path=str(OUT_DIR / f"ui_{lang}_{i}_{TABS['en'][i].lower()}.png"), full_page=True)
                text = page_text(page)
                for fr in page.frames:  # the maps' own words: legend, layer names, labels, search box
                    if "streamlit_folium" in fr.url:
                        # the tile provider's credit line stays as its licence words it
                        text += "\n" + str(fr.evaluate("""() => {
                            var a = document.querySelector(".leaflet-control-attribution"), d = a && a.style.display;
                            if (a) { a.style.display = "none"; }
                            var out = document.body.innerText;
                            if (a) { a.style.display = d; }
                            return out; }"""))
                bad = stray_words(text, lang)
                if lang == "en":
                    heads = page.locator('[data-testid="stMain"] h1, [data-testid="stMain"] h2, '
                                         '[data-testid="stMain"] h3, [role="tab"], button').all_inner_texts()
                    bad += [h for h in heads if CJK.search(h)]
                if bad:
                    findings[f"{lang}/{tab}"] = sorted(set(bad))
    (OUT_DIR / "timings.json").write_text(json.dumps(timings, ensure_ascii=False, indent=1), encoding="utf-8")
    (OUT_DIR / "language_findings.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1),
                                                    encoding="utf-8")
    print("\ninteraction times (s):", json.dumps(timings, ensure_ascii=False))
    assert not errors, errors
    assert not findings, json.dumps(findings, ensure_ascii=False, indent=1)
