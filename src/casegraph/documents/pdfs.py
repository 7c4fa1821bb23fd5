"""PDF: the text layer of each page (pages without one are left for OCR), the
document information, and the files attached to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pypdfium2 as pdfium

from casegraph.documents.extracted import Child, Extracted, Limits, Unreadable

_INFO = {"Title": "title", "Author": "author", "Subject": "subject", "Keywords": "keywords",
         "Creator": "generator", "Producer": "producer", "CreationDate": "created",
         "ModDate": "modified"}  # fmt: skip


def pdf(data: bytes, limits: Limits) -> Extracted:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise Unreadable("password-protected PDF: it cannot be read without it") from None
        raise Unreadable(f"not a readable PDF ({message})") from None
    try:
        count = len(document)
        if count > limits.max_pages:
            raise Unreadable(f"{count:,} pages, more than the limit of {limits.max_pages:,}")
        pages, empty = [], []
        for number in range(count):
            page = document[number]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
                textpage.close()
            finally:
                page.close()
            pages.append(text.strip())
            if not text.strip():
                empty.append(number + 1)
        meta: dict[str, Any] = {}
        for key, value in document.get_metadata_dict(skip_empty=True).items():
            if key in _INFO:
                meta[_INFO[key]] = _date(value) if key.endswith("Date") else value.strip()
        children = []
        for i in range(document.count_attachments()):
            attachment = document.get_attachment(i)
            content = attachment.get_data()
            children.append(Child(attachment.get_name() or f"attachment-{i + 1}", bytes(content)))
    finally:
        document.close()
    return Extracted("Pages", pages, paged=True, meta=meta, children=children,
                     needs_ocr=empty)  # fmt: skip


def _date(value: str) -> str:
    """A PDF date (``D:20090129191640+01'00'``) as ISO 8601, or as it was."""
    raw = value.strip().removeprefix("D:")
    for size, fmt in ((14, "%Y%m%d%H%M%S"), (12, "%Y%m%d%H%M"), (8, "%Y%m%d")):
        try:
            return datetime.strptime(raw[:size], fmt).isoformat()
        except ValueError:
            continue
    return value.strip()
