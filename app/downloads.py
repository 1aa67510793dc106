"""Every file the app hands out: one attachment response, with a name in any language.

A name reaches the browser twice (RFC 6266): as a quoted ASCII ``filename`` every client
reads, and, when that had to drop or replace characters, as the RFC 5987
``filename*=UTF-8''…`` form that browsers prefer, so a Chinese name arrives whole.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from urllib.parse import quote

from flask import Response, request, send_file

CSV_TYPE = "text/csv"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ATTR_CHARS = "!#$&+-.^_`|~"  # RFC 5987 attr-char beyond letters and digits
_NOT_QUOTABLE = re.compile(r'[^\x20-\x7e]|["\\]')


def attachment(data: bytes, filename: str, mimetype: str,
               cache_control: str = "no-store") -> Response:
    """``data`` as a download named ``filename``; by default never stored by any cache."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=filename, conditional=False)
    # Werkzeug leaves token names unquoted and drops every Chinese character from the
    # fallback (证书.pdf -> .pdf): write the header the same way for every name instead.
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = cache_control
    return response


def stored_file(data: bytes, mimetype: str, sha256: str, *, max_age: int,
                policy: str | None = None) -> Response:
    """A stored image or document shown in a page (not downloaded): private cache for
    ``max_age`` seconds, revalidated by its SHA-256; ``policy`` a Content-Security-Policy
    for types that could be active content. Conditional on the request's If-None-Match."""
    response = Response(data, mimetype=mimetype)
    response.set_etag(sha256)
    response.cache_control.private = True
    response.cache_control.max_age = max_age
    response.headers["X-Content-Type-Options"] = "nosniff"
    if policy:
        response.headers["Content-Security-Policy"] = policy
    response.make_conditional(request)  # in place: 304 when the browser has this version
    return response


def content_disposition(filename: str) -> str:
    """The ``attachment`` header value: ASCII fallback, plus the UTF-8 name if it differs."""
    fallback = ascii_fallback(filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return (f"attachment; filename=\"{fallback}\"; "
            f"filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}")


def ascii_fallback(filename: str) -> str:
    """The name in printable ASCII: accents dropped, other letters gone, never empty."""
    stem, suffix = os.path.splitext(filename)
    stem, suffix = _ascii(stem), _ascii(suffix)
    return f"{' '.join(stem.split()).strip(' .') or 'file'}{suffix}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_QUOTABLE.sub("_", folded)
