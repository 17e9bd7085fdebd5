"""A QR code as inline SVG for a web page (the second-factor set-up), made on the server.

One path of unit squares for the dark modules, with the standard 4-module quiet zone;
no script, no style, no outside request.
"""

from __future__ import annotations

from idcard.cardprint.qr import QrMatrix
from idcard.cardprint.qr_draw import QR_QUIET_MODULES


def qr_svg(matrix: QrMatrix, *, pixels: int = 240, title: str = "QR code") -> str:
    """Return an <svg> element drawing the matrix, `pixels` wide and high."""
    side = matrix.size + 2 * QR_QUIET_MODULES
    squares = "".join(
        f"M{x + QR_QUIET_MODULES} {y + QR_QUIET_MODULES}h1v1h-1z"
        for y, row in enumerate(matrix.rows()) for x, dark in enumerate(row) if dark == "1")
    safe_title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
            f'width="{pixels}" height="{pixels}" role="img" shape-rendering="crispEdges">'
            f"<title>{safe_title}</title>"
            f'<rect width="{side}" height="{side}" fill="#fff"/>'
            f'<path d="{squares}" fill="#000"/></svg>')
