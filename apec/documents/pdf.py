"""Prefilled PDFs (DESIGN.md section 8), rendered by WeasyPrint from Jinja templates.

The CSS names a CJK font installed on the machine (fonts-noto-cjk), and no
URL is ever fetched: documents are built from the template alone.
"""

from flask import render_template


class RemoteFetchRefused(Exception):
    pass


def _no_fetching(url, *args, **kwargs):
    raise RemoteFetchRefused(f"documents fetch nothing, not even {url!r}")


def render_pdf(template: str, **context) -> bytes:
    from weasyprint import HTML  # imported when needed: it loads Pango, which costs start-up time

    html = render_template(template, **context)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()
