"""A page of a document as a picture to read beside its text: a PDF page rendered, or
a frame of a scanned image, as a PNG at most ``WIDTH`` pixels wide."""

from __future__ import annotations

import io
from pathlib import Path

from casegraph.documents.extracted import Unreadable

WIDTH = 1200  # pixels: a page read on a screen, not printed again
PICTURED = frozenset({"pdf", "image"})  # kinds of content with a picture per page


def page_png(data: bytes | Path, kind: str, page: int) -> bytes:
    """Page ``page`` (from 1) of a PDF or image (its bytes, or the file: read as far as
    the page needs) as a PNG."""
    if kind not in PICTURED:
        raise Unreadable(f"a {kind} file has no page pictures")
    return pdf_page(data, page) if kind == "pdf" else _image_frame(data, page)


def pdf_page(data: bytes | Path, page: int, scale: float | None = None,
             grayscale: bool = False) -> bytes:  # fmt: skip
    """Page ``page`` (from 1) of a PDF as a PNG: at ``scale`` (1: 72 dpi), or at most
    ``WIDTH`` pixels wide."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise Unreadable(f"not a readable PDF ({exc})") from None
    try:
        if not 1 <= page <= len(document):
            raise Unreadable(f"no page {page}: the document has {len(document)}")
        found = document[page - 1]
        if scale is None:
            scale = min(3.0, WIDTH / max(found.get_width(), 1.0))
        out = io.BytesIO()
        found.render(scale=scale, grayscale=grayscale).to_pil().save(out, format="PNG")
        return out.getvalue()
    finally:
        document.close()


def _image_frame(data: bytes | Path, page: int) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
        count = getattr(opened, "n_frames", 1)
        if not 1 <= page <= count:
            raise Unreadable(f"no page {page}: the image has {count}")
        opened.seek(page - 1)
        frame = opened.convert("RGB" if opened.mode not in ("1", "L") else "L")
        frame.thumbnail((WIDTH, WIDTH * 4))
        out = io.BytesIO()
        frame.save(out, format="PNG", optimize=True)
        return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise Unreadable(f"not a readable image ({exc})") from None
