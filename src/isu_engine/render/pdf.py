"""Print the report's HTML to a tagged A4 PDF (PDF/UA-1) with WeasyPrint, fetching nothing outside the template folders.

The PDF is tagged for screen readers through WeasyPrint's PDF/UA-1 variant (structure tree
from the HTML, document language, title shown in the window, the PDF/UA identifier), finished
by `pdf_tags.finish_tags` (page furniture as artifacts, table header cells with a scope). See
docs/accessibility.md. Tagging changes nothing that is drawn.

The PDFs of one run are printed side by side (`render_pdfs`): one process per report, as
many as the cores this process may use, started fresh (forkserver) with WeasyPrint loaded,
so a run with three datasets takes about as long as its longest report.

The page layout (margins, running header, "Sida X av Y", contents with page numbers, breaks)
is in the templates' CSS. Here the bundled fonts are added (`fonts.css`, whose relative URLs
point to the TrueType faces in `report_templates/fonts/`, so loading them copies files and
decompresses nothing); they are loaded once per process and shared by every PDF of a run.
Every resource the document asks for goes through `TemplateFolderFetcher`: `data:` URLs and
files inside the shared template folder or a given asset folder are served; anything else
(http, https, other files) is refused, so a value in the data or a municipality's template
can never make the renderer read or send anything.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from multiprocessing.context import BaseContext
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from isu_engine.render.html import shared_templates_dir
from isu_engine.render.pdf_tags import finish_tags

FONTS_CSS = "fonts.css"
PDF_VARIANT = "pdf/ua-1"


class TemplateFolderFetcher(URLFetcher):
    """Serves `data:` URLs and files inside the allowed folders; refuses every other URL."""

    def __init__(self, folders: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.folders = tuple(Path(folder).resolve() for folder in folders)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise PermissionError(f"refused to fetch {url}: not a local file")
            path = Path(url2pathname(parts.path)).resolve()
            if not any(path.is_relative_to(folder) for folder in self.folders) or not path.is_file():
                raise PermissionError(f"refused to fetch {url}: outside the report template folders")
        elif scheme != "data":
            raise PermissionError(f"refused to fetch {url}: only files of the report templates are used")
        return super().fetch(url, headers)


@cache
def bundled_fonts() -> tuple[FontConfiguration, CSS]:
    """The font configuration with the bundled faces and the `fonts.css` stylesheet, built once per process.

    Every PDF reuses both, so the faces are registered with Fontconfig and Pango only once. A
    document's own `@font-face` rules (a municipality's templates) are added to the same
    configuration through the document's fetcher and so stay available to later PDFs of the process.
    """
    shared = shared_templates_dir()
    font_config = FontConfiguration()
    fonts = CSS(filename=str(shared / FONTS_CSS), base_url=shared.as_uri() + "/",
                url_fetcher=TemplateFolderFetcher([shared]), font_config=font_config)
    return font_config, fonts


atexit.register(bundled_fonts.cache_clear)  # the configuration removes its temporary font folder when dropped


def render_pdf(html: str, *, asset_dirs: Sequence[Path] = (), tagged: bool = True) -> bytes:
    """The HTML of `render_html` as PDF bytes, with the bundled fonts; A4 from the templates' CSS.

    `tagged` (the default) makes a PDF/UA-1 document; untagged output exists only to check
    that tagging changes nothing visible.
    """
    shared = shared_templates_dir()
    fetcher = TemplateFolderFetcher([shared, *asset_dirs])
    font_config, fonts = bundled_fonts()
    document = HTML(string=html, base_url=shared.as_uri() + "/", url_fetcher=fetcher)
    if not tagged:
        return document.write_pdf(stylesheets=[fonts], font_config=font_config)
    return document.write_pdf(stylesheets=[fonts], font_config=font_config, pdf_variant=PDF_VARIANT,
                              finisher=finish_tags)


def render_pdfs(pages: Sequence[str], *, asset_dirs: Sequence[Path] = ()) -> Iterator[bytes]:
    """The PDF bytes of each HTML page of `render_html`, in order; in parallel processes when there is more
    than one page and more than one core, else one after the other in this process."""
    workers = min(len(pages), available_cores())
    if workers <= 1:
        yield from (render_pdf(html, asset_dirs=asset_dirs) for html in pages)
        return
    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload([__name__])  # the server loads WeasyPrint once; each worker is a fork of it
        context = forkserver
    else:  # Windows: each worker starts a fresh interpreter
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(render_pdf, html, asset_dirs=tuple(asset_dirs)) for html in pages]
        for future in futures:
            yield future.result()


def available_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
