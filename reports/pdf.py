"""PDFs of the print pages: WeasyPrint renders the very template the browser prints.

The renderer fetches nothing but the project's own static files. Templates escape every
user text, and even if markup slipped through, an <img> or url() pointing anywhere else is
refused, so no note can make the server fetch a URL.
"""

import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative links resolve against an origin no network answers (.invalid is reserved);
# the fetcher maps its static paths to files on disk and refuses everything else.
BASE_URL = "https://plcoach.invalid/"


class RefusedURL(ValueError):
    """The renderer asked for something that is not one of the project's static files."""


def static_file(url: str) -> Path:
    """The file on disk behind a static URL of BASE_URL; RefusedURL for any other URL."""
    parts = urlsplit(url)
    prefix = urlsplit(settings.STATIC_URL).path  # "/static/"
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(prefix) or parts.query:
        raise RefusedURL(f"Refused {url!r}: the PDF renderer only reads the project's static files.")
    name = unquote(parts.path.removeprefix(prefix))
    if not name or name.startswith("/") or "\\" in name or ".." in PurePosixPath(name).parts:
        raise RefusedURL(f"Refused {url!r}: not a static file name.")
    found = finders.find(name) or _collected(name)
    if not found or not Path(found).is_file():
        raise RefusedURL(f"Refused {url!r}: no such static file.")
    return Path(found)


def _collected(name: str) -> str | None:
    """Hashed names ({% static %} with the manifest storage) exist only in STATIC_ROOT."""
    try:
        return staticfiles_storage.path(name)
    except (NotImplementedError, SuspiciousFileOperation):
        return None


class StaticFilesOnly(URLFetcher):
    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(request: HttpRequest, template_name: str, context: dict) -> bytes:
    # `pdf` adds pdf.css (page margin boxes carry the footer) and leaves out the screen toolbar.
    html = render_to_string(template_name, {**context, "pdf": True}, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()


def pdf_filename(*words: str) -> str:
    """ASCII words and hyphens only, so no name can break the header or a file system."""
    return (slugify(" ".join(words)) or "summary") + ".pdf"


def pdf_response(request: HttpRequest, template_name: str, context: dict, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(request, template_name, context), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    patch_cache_control(response, private=True, no_store=True)  # coaching records: never kept by a shared cache
    return response
