"""One file's bytes to an ``Extracted``: its kind decides the reader. Whatever a reader
fails with becomes ``Unreadable`` with the reason, never an error that stops a batch."""

from __future__ import annotations

from collections.abc import Callable

from casegraph.documents import archives, emails, office, pdfs, plain
from casegraph.documents.extracted import Extracted, Limits, Unreadable
from casegraph.documents.kinds import SCHEMA, detect
from casegraph.documents.ocr import frames

Reader = Callable[[bytes, str, Limits], Extracted]

READERS: dict[str, Reader] = {
    "pdf": lambda d, n, lim: pdfs.pdf(d, lim),
    "email": lambda d, n, lim: emails.eml(d),
    "emlx": lambda d, n, lim: emails.emlx(d),
    "mhtml": lambda d, n, lim: emails.mhtml(d),
    "mbox": lambda d, n, lim: emails.mbox(d, lim),
    "msg": lambda d, n, lim: emails.msg(d),
    "pst": lambda d, n, lim: emails.pst(d, lim),
    "docx": lambda d, n, lim: office.docx(d, lim),
    "pptx": lambda d, n, lim: office.pptx(d, lim),
    "xlsx": lambda d, n, lim: office.xlsx(d, lim),
    "xls": lambda d, n, lim: office.xls(d),
    "odt": lambda d, n, lim: office.odf(d, lim),
    "ods": lambda d, n, lim: office.odf(d, lim),
    "odp": lambda d, n, lim: office.odf(d, lim),
    "rtf": lambda d, n, lim: office.rtf(d),
    "doc": lambda d, n, lim: office.legacy(d, "doc", lim),
    "ppt": lambda d, n, lim: office.legacy(d, "ppt", lim),
    "html": lambda d, n, lim: plain.html_file(d),
    "text": lambda d, n, lim: plain.text_file(d),
    "zip": lambda d, n, lim: archives.zip_archive(d, lim),
    "tar": lambda d, n, lim: archives.tar_archive(d, lim),
    "gzip": lambda d, n, lim: archives.compressed_file(d, n, "gzip", lim),
    "bzip2": lambda d, n, lim: archives.compressed_file(d, n, "bzip2", lim),
    "xz": lambda d, n, lim: archives.compressed_file(d, n, "xz", lim),
    "7z": lambda d, n, lim: archives.seven_zip(d, lim),
    "image": lambda d, n, lim: _image(d),
}


def extract(data: bytes, name: str, limits: Limits) -> tuple[str, Extracted]:
    """The kind of the file and what its reader found; ``Unreadable`` with the reason."""
    if len(data) > limits.max_bytes:
        raise Unreadable(f"{len(data):,} bytes, more than the limit of {limits.max_bytes:,}")
    kind = detect(data, name)
    reader = READERS.get(kind)
    if reader is None:
        raise Unreadable("unknown file type: not a format casegraph reads")
    try:
        found = reader(data, name, limits)
    except Unreadable:
        raise
    except RecursionError:
        raise Unreadable("nested too deeply to read") from None
    except Exception as exc:  # a third-party reader's fault on a bad file: recorded
        raise Unreadable(f"could not be read as {kind} ({type(exc).__name__}: {exc})") from None
    if found.schema == "Document":
        found.schema = SCHEMA[kind]
    return kind, found


def _image(data: bytes) -> Extracted:
    """A scan: a page per frame, each left for OCR."""
    count = len(frames(data))
    return Extracted("Image", [""] * count, paged=count > 1, needs_ocr=list(range(1, count + 1)))
