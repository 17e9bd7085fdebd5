"""Reading rendered PDFs back with poppler: pages as images, their text, their fonts, their
QR codes, and whether poppler reads them without complaint."""

from __future__ import annotations

import subprocess
import tempfile
import unicodedata
from pathlib import Path

import zxingcpp
from PIL import Image


def rasterize(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
    """Render every page with poppler's pdftoppm; return them as RGB images."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), f"{tmp}/page"],
                       check=True)
        return [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("page-*.png"))]


def pdftotext(pdf: bytes, page: int | None = None) -> str:
    """The text poppler extracts (what viewers copy and search), NFC-normalized."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", *pages, "-", "-"], input=pdf, check=True,
                          capture_output=True)
    assert done.stderr == b"", done.stderr
    return unicodedata.normalize("NFC", done.stdout.decode())


def font_rows(pdf: Path) -> list[str]:
    """pdffonts' table, one row per font (name, type, encoding, emb sub uni, object)."""
    done = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    return done.stdout.splitlines()[2:]  # after the header and its underline


def assert_poppler_reads_cleanly(pdf: bytes) -> None:
    """pdfinfo reads the whole document and says nothing on stderr."""
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    assert done.stderr == b"", done.stderr


def words(text: str) -> str:
    return " ".join(text.split())


def qr_texts(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def token_from_pdf(pdf: bytes) -> str:
    """Decode the QR on the card's back page and return the token after '#'."""
    # zxing now and then also "finds" a short 1D barcode in the card's printed text
    # (e.g. "C70D"); only a verify URL is the card's QR.
    texts = [text for page in rasterize(pdf) for text in qr_texts(page) if "/v#" in text]
    assert len(texts) == 1, texts
    return texts[0].split("#", 1)[1]
