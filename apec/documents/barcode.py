"""申请单条码: the application number as a Code 128 barcode (seed 000's 订单详情), inline SVG so it
prints with the page and needs no request of its own.

python-barcode encodes the number; the SVG is drawn here with presentation attributes (fill=…)
rather than its writer's style attributes, which the Content-Security-Policy blocks, and with a
viewBox of one unit per module so it scales sharply."""

import itertools

import barcode
from markupsafe import Markup, escape

QUIET_ZONE = 10  # modules of white each side, as scanners need
HEIGHT = 40  # modules


def barcode_svg(number: str) -> Markup:
    """The number as an <svg> a scanner reads back, with the number as its accessible name."""
    modules = barcode.get("code128", number).build()[0]
    width = len(modules) + 2 * QUIET_ZONE
    bars, x = [], QUIET_ZONE
    for bit, run in itertools.groupby(modules):
        length = len(list(run))
        if bit == "1":
            bars.append(f'<rect x="{x}" y="0" width="{length}" height="{HEIGHT}"/>')
        x += length
    return Markup(
        f'<svg role="img" aria-label="申请单条码 {escape(number)}" class="barcode" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {HEIGHT}" width="{width * 2}" height="{HEIGHT * 2}" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{HEIGHT}" fill="#fff"/><g fill="#000">{"".join(bars)}</g></svg>'
    )
