"""Offline web assets for the maps: Leaflet's JS, CSS and images from the installed ``xstatic-leaflet``.

The maps use only Leaflet itself (no jQuery, Bootstrap or awesome-markers), so two files and a few
images are all a browser needs. Two ways to deliver them without internet:

* :func:`inline_head` returns ``<style>``/``<script>`` blocks with the files' contents (images as
  ``data:`` URIs) for a self-contained HTML file;
* :func:`install_static_assets` copies them under a Streamlit ``static/`` folder, and
  :func:`asset_links` gives the URLs a map should reference there.
"""

from __future__ import annotations

import base64
import functools
import re
import shutil
from pathlib import Path
from typing import Final

#: Sub-folder of a static directory where the Leaflet files are copied.
STATIC_SUBDIR: Final = "vendor/leaflet"
#: URL of the app's static folder as seen from the streamlit-folium component iframe, which Streamlit
#: serves at ``<base>/component/streamlit_folium.st_folium/index.html``: two levels up is the app root,
#: so the link also works under ``server.baseUrlPath``.
APP_STATIC_URL: Final = "../../app/static"


def leaflet_dir() -> Path:
    """The folder of the installed Leaflet distribution (``leaflet.js``, ``leaflet.css``, ``images/``)."""
    import xstatic.pkg.leaflet as xs_leaflet

    return Path(xs_leaflet.BASE_DIR)


def leaflet_version() -> str:
    """Version of the bundled Leaflet, e.g. ``"1.9.3"``."""
    import xstatic.pkg.leaflet as xs_leaflet

    return str(xs_leaflet.VERSION)


def asset_links(base_url: str = APP_STATIC_URL) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Folium-style ``(name, url)`` lists of the JS and CSS a map needs, under ``base_url``.

    Parameters
    ----------
    base_url
        URL of the static folder the files were installed into with :func:`install_static_assets`.

    Returns
    -------
    tuple
        ``(default_js, default_css)`` to set on one ``folium.Map`` instance.
    """
    root = f"{base_url.rstrip('/')}/{STATIC_SUBDIR}"
    return [("leaflet", f"{root}/leaflet.js")], [("leaflet_css", f"{root}/leaflet.css")]


def install_static_assets(static_dir: str | Path) -> Path:
    """Copy Leaflet's files into ``static_dir/vendor/leaflet`` (only what is missing or changed).

    Returns
    -------
    Path
        The folder holding ``leaflet.js``, ``leaflet.css`` and ``images/``.
    """
    src = leaflet_dir()
    dest = Path(static_dir) / STATIC_SUBDIR
    (dest / "images").mkdir(parents=True, exist_ok=True)
    files = [Path("leaflet.js"), Path("leaflet.css")]
    files += [p.relative_to(src) for p in sorted((src / "images").glob("*.png"))]
    for rel in files:
        target = dest / rel
        source = src / rel
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            tmp = target.with_suffix(target.suffix + ".tmp")
            shutil.copyfile(source, tmp)
            tmp.replace(target)  # atomic: a browser never sees half a file
    return dest


def inline_head() -> str:
    """``<style>`` and ``<script>`` blocks holding Leaflet's CSS (images inlined) and JS."""
    return f"<style>{_leaflet_css_inline()}</style>\n<script>{_leaflet_js()}</script>\n"


def is_known_asset(url: str) -> bool:
    """Whether ``url`` names a file :func:`inline_head` provides (``leaflet.js`` or ``leaflet.css``)."""
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name in {"leaflet.js", "leaflet.css"}


@functools.lru_cache(maxsize=1)
def _leaflet_js() -> str:
    # "</script" cannot appear inside an inline script; Leaflet has none, but be safe.
    return (leaflet_dir() / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")


@functools.lru_cache(maxsize=1)
def _leaflet_css_inline() -> str:
    css = (leaflet_dir() / "leaflet.css").read_text(encoding="utf-8")
    images = leaflet_dir() / "images"

    def _data_uri(match: re.Match[str]) -> str:
        path = images / match.group(1)
        if not path.exists():
            return match.group(0)
        b64 = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{b64})"

    return re.sub(r"url\(\s*['\"]?images/([\w.\-]+\.png)['\"]?\s*\)", _data_uri, css)
