"""Every PDF Cwtch prints: WeasyPrint with a URL fetcher that may read the project's static/ folder and nothing else.

What a PDF may load, and why:
- files under static/, named as "/static/..." (resolved against PRINT_BASE_URL) or as file:// URLs.
  The resolved path must stay inside static/: no "..", no symlink that leads out of it.
- data: URIs. They carry their bytes inside the document, so reading one reaches neither the disk nor
  the network; they let a later chart be inlined as SVG. Anything an SVG in one refers to goes
  through this same fetcher.
- nothing else: no http, https or ftp (so no request from the server to the network, not even to
  itself, and so no redirect to follow), no file:// outside static/, no other scheme.

A refused resource is logged by WeasyPrint and left out; the PDF is still made. Every template also
escapes what people wrote, so their text can only ever be printed as text.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import DataHandler, Request, url2pathname

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The documents' base URL: "/static/x.css" becomes PRINT_ORIGIN + "/static/x.css", which this
# fetcher maps to a file. ".invalid" can never be a real host (RFC 2606), and it is never contacted.
PRINT_ORIGIN = "https://print.cwtch.invalid"
PRINT_BASE_URL = PRINT_ORIGIN + "/"
STATIC_PREFIX = "/static/"
# The font every PDF prints in, built into static/dist by static/build.mjs from @fontsource/noto-sans.
FONT_STYLESHEET = "/static/dist/fonts/print.css"


class RefusedURL(ValueError):
    """The document asked for something outside what a PDF may load."""


class StaticOnlyFetcher(URLFetcher):
    """Serves files from one folder (static/) and data: URIs; refuses everything else."""

    def __init__(self, static_folder: str | Path) -> None:
        # The parent's openers (http, ftp...) are never called: fetch below replaces its fetch.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.root = Path(static_folder).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return self._data(url)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            return self._file(url2pathname(parts.path))
        if scheme == "https" and f"{scheme}://{parts.netloc}" == PRINT_ORIGIN and parts.path.startswith(STATIC_PREFIX):
            return self._file(str(self.root / url2pathname(parts.path[len(STATIC_PREFIX):])))
        raise RefusedURL(f"a PDF may load only files in static/ and data: URIs, not {_short(url)}")

    def path_for(self, path_text: str) -> Path:
        """The file a (decoded) path names, if it is a file inside static/ once every link is followed."""
        if ".." in Path(path_text).parts:
            raise RefusedURL("a PDF may not climb out of static/ with ..")
        path = Path(path_text).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(f"{_short(path_text)} is not a file in static/")
        return path

    def _file(self, path_text: str) -> URLFetcherResponse:
        path = self.path_for(path_text)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def _data(self, url: str) -> URLFetcherResponse:
        try:
            response = DataHandler().data_open(Request(url))
        except ValueError as error:
            raise RefusedURL(f"a malformed data: URI ({error})") from error
        return URLFetcherResponse(url, response.read(), dict(response.headers))


def _short(text: str) -> str:
    # Enough to find the culprit in the log; never a whole data: URI.
    return text if len(text) <= 120 else text[:117] + "..."


def fetcher() -> StaticOnlyFetcher:
    return StaticOnlyFetcher(current_app.static_folder)


def render_pdf(html: str, *, title: str, language: str) -> bytes:
    """The PDF of a page rendered from a template. The title and language go into its metadata;
    no author is named there (a PDF is often passed on, and its metadata is easily overlooked)."""
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=fetcher()).render(font_config=fonts)
    document.metadata.title = title
    document.metadata.lang = language
    document.metadata.authors = []
    document.metadata.description = None
    document.metadata.keywords = []
    # Tagged, so that screen readers can follow headings, lists and tables.
    return document.write_pdf(pdf_tags=True)


def render_pdf_template(template: str, *, title: str, language: str, **context) -> bytes:
    """Render a template that extends pdf/base.html, then print it. Call inside force_locale(language)."""
    html = render_template(template, title=title, language=language, print_font_stylesheet=FONT_STYLESHEET,
                           **context)
    return render_pdf(html, title=title, language=language)
