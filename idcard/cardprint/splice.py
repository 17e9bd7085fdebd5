"""Splicing small reportlab PDFs into one, writing as they come and keeping only offsets."""

from __future__ import annotations

import re
from array import array
from typing import BinaryIO

_XREF = re.compile(rb"startxref\s+(\d+)")
_REF = re.compile(rb"(\d+) 0 R\b")
_XREF_HEAD = re.compile(rb"xref\s+(\d+) (\d+)\s+")
_TRAILER_REF = re.compile(rb"/(Root|Info) (\d+) 0 R")
_STREAM = re.compile(rb"\bstream\r?\n")
_PAGE = re.compile(rb"/Type /Page(?![A-Za-z])")


class PdfSplicer:
    """Write reportlab PDFs' pages into one PDF as they come, keeping only offsets.

    Object 1 is the catalog and 2 the page tree (written last, when its kids are
    known). Every other object of each unit is copied with its references renumbered;
    the unit's catalog, page tree and info are dropped and its pages re-parented.
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.position = 0
        self.offsets = array("Q", [0, 0, 0])  # index = object number; 0 unused
        self.kids = array("L")
        self._write(b"%PDF-1.4\n%\x93\x8c\x8b\x9e idcard\n")
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")

    def add(self, pdf: bytes) -> None:
        """Append every page of a reportlab-made PDF."""
        objects, root, info = _parse(pdf)
        pages = _pages_ref(objects[root])
        renumber = {pages: 2}
        for number in sorted(objects):
            if number not in (root, info, pages):
                renumber[number] = len(self.offsets) + len(renumber) - 1
        for number in sorted(objects):
            new = renumber.get(number, 2)
            if new == 2:
                continue
            body = _renumbered(objects[number], renumber)
            if _PAGE.search(body) and not _STREAM.search(body):
                self.kids.append(new)
            self._object(new, body)

    def close(self) -> None:
        """Write the page tree, cross-reference table and trailer, a slice at a time."""
        self.offsets[2] = self.position
        self._write(b"2 0 obj\n<< /Type /Pages /Count %d /Kids [" % len(self.kids))
        for start in range(0, len(self.kids), 4096):
            chunk = self.kids[start : start + 4096]
            self._write(b"".join(b" %d 0 R" % kid for kid in chunk))
        self._write(b" ] >>\nendobj\n")
        xref_at = self.position
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets))
        for start in range(1, len(self.offsets), 4096):
            chunk = self.offsets[start : start + 4096]
            self._write(b"".join(b"%010d 00000 n \n" % offset for offset in chunk))
        trailer = f"trailer\n<< /Size {len(self.offsets)} /Root 1 0 R >>\nstartxref\n{xref_at}\n"
        self._write(trailer.encode() + b"%%EOF\n")
        self.out.flush()

    def _object(self, number: int, body: bytes) -> None:
        if number >= len(self.offsets):
            self.offsets.extend([0] * (number + 1 - len(self.offsets)))
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)


def _parse(pdf: bytes) -> tuple[dict[int, bytes], int, int]:
    """Return {number: body} for every object of a reportlab PDF, with /Root and /Info.

    Objects are located through the cross-reference table (fixed 20-byte entries), so
    nothing scans the binary stream data.
    """
    xref_at = int(_XREF.search(pdf, max(0, len(pdf) - 64)).group(1))  # type: ignore[union-attr]
    head = _XREF_HEAD.match(pdf, xref_at)
    if head is None:
        raise ValueError("not a PDF with a classic cross-reference table")
    first, count = int(head.group(1)), int(head.group(2))
    table = head.end()
    located = []
    for i in range(count):
        entry = pdf[table + 20 * i : table + 20 * i + 20]
        if entry[17:18] == b"n":
            located.append((int(entry[:10]), first + i))
    located.sort()
    objects: dict[int, bytes] = {}
    for k, (start, number) in enumerate(located):
        end = located[k + 1][0] if k + 1 < len(located) else xref_at
        chunk = pdf[start:end]
        objects[number] = chunk[chunk.index(b"obj") + 3 : chunk.rindex(b"endobj")].strip(b"\r\n ")
    refs = dict(_TRAILER_REF.findall(pdf, table + 20 * count))
    return objects, int(refs[b"Root"]), int(refs[b"Info"])


def _pages_ref(catalog: bytes) -> int:
    match = re.search(rb"/Pages (\d+) 0 R", catalog)
    if match is None:
        raise ValueError("catalog without a page tree")
    return int(match.group(1))


def _renumbered(body: bytes, renumber: dict[int, int]) -> bytes:
    """Renumber references in the object's dictionary, never inside stream data."""
    stream = _STREAM.search(body)
    head, tail = (body[: stream.start()], body[stream.start() :]) if stream else (body, b"")
    head = _REF.sub(lambda m: b"%d 0 R" % renumber[int(m.group(1))], head)
    return head + tail
