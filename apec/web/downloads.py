"""Responses that hand the user a file: its name in UTF-8, never sniffed, never cached."""

from urllib.parse import quote

from flask import Response


def file_response(data: bytes, mimetype: str, filename: str, disposition: str = "attachment") -> Response:
    response = Response(data, mimetype=mimetype)
    # RFC 6266 / 5987: an ASCII fallback and the UTF-8 name for Chinese file names.
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename)
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
