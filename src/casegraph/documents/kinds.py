"""What kind of file some bytes are: by their first bytes (and, for containers of
several formats, what they hold), the name's extension only where the bytes cannot
tell (an e-mail, an mbox, an MHTML page and plain text are all text)."""

from __future__ import annotations

import io
import re
import zipfile

import olefile

# kind -> FollowTheMoney schema of the document
SCHEMA = {
    "pdf": "Pages", "email": "Email", "emlx": "Email", "msg": "Email", "mbox": "Package",
    "pst": "Package", "docx": "Pages", "doc": "Pages", "odt": "Pages", "rtf": "Pages",
    "xlsx": "Workbook", "xls": "Workbook", "ods": "Workbook",
    "pptx": "Pages", "ppt": "Pages", "odp": "Pages",
    "html": "HyperText", "mhtml": "HyperText", "text": "PlainText",
    "zip": "Package", "tar": "Package", "gzip": "Package", "bzip2": "Package",
    "xz": "Package", "7z": "Package",
    "image": "Image", "unknown": "Document",
}  # fmt: skip

_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]", re.M)
_MAIL_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"received:")


def detect(data: bytes, name: str) -> str:
    """The kind of a file (a key of ``SCHEMA``)."""
    head = data[:8]
    lower = name.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole_kind(data)
    if head.startswith(b"!BDN"):
        return "pst"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff")
            or head[:4] in (b"II*\x00", b"MM\x00*") or head[:6] in (b"GIF87a", b"GIF89a")
            or head.startswith(b"BM")):  # fmt: skip
        return "image"
    if b"%PDF-" in data[:1024]:  # a PDF after some bytes of junk, as readers allow
        return "pdf"
    if lower.endswith(".emlx") and data[:12].split(b"\n", 1)[0].strip().isdigit():
        return "emlx"
    if lower.endswith((".mht", ".mhtml")):
        return "mhtml"
    if lower.endswith(".eml"):  # one message, even after an mbox's "From " line
        return "email"
    if lower.endswith(".mbox") or data.startswith(b"From "):
        return "mbox"
    if _looks_like_mail(data):
        return "email"
    start = data[:1024].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower().replace(b"\x00", b"")
    marked = b"<html" in data[:4096].lower().replace(b"\x00", b"")
    if (start.startswith((b"<!doctype html", b"<html", b"<?xml")) and marked) or lower.endswith(
        (".html", ".htm", ".xhtml")
    ):
        return "html"
    if _texty(data):
        return "text"
    return "unknown"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if "mimetype" in names:
                kind = _ODF.get(z.read("mimetype").decode("ascii", "replace").strip())
                if kind:
                    return kind
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, ValueError):
        pass  # read as an archive: its reader names the fault
    return "zip"


def _ole_kind(data: bytes) -> str:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except (OSError, ValueError):
        return "unknown"
    if any(s.startswith("__substg1.0_") for s in streams):
        return "msg"
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "PowerPoint Document" in streams:
        return "ppt"
    return "unknown"


def _looks_like_mail(data: bytes) -> bool:
    head = data[:8192].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = [line for line in head.splitlines() if line and not line[:1].isspace()]
    if len(lines) < 2 or not all(_HEADER.match(line) for line in lines[:3]):
        return False
    found = {line.split(b":", 1)[0].lower() + b":" for line in lines}
    return len(found & set(_MAIL_HEADERS)) >= 2


def _texty(data: bytes) -> bool:
    sample = data[:4096]
    if not sample:
        return True
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls / len(sample) < 0.02
