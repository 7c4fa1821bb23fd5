"""Guessing the text encoding of a source file when the user did not name one."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from casegraph.errors import InvalidInput

SAMPLE_BYTES = 1 << 20
FALLBACK = "cp1252"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as such, else a guess."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) == SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # don't cut a character in two
    if _mostly_utf8(sample):
        return "utf-8"
    best = from_bytes(sample).best()
    if best is None or best.encoding in ("ascii", "utf_8"):
        return FALLBACK
    return str(best.encoding)


def _mostly_utf8(sample: bytes) -> bool:
    """Valid UTF-8, or UTF-8 with a few damaged bytes among many good characters.

    A damaged UTF-8 file is still UTF-8: its bad rows are better rejected (and
    reported) than the whole file misread as a single-byte encoding.
    """
    text = sample.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - sample.decode("utf-8", "ignore").count("\ufffd")
    if damaged == 0:
        return True
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return good > damaged


def check_encoding(name: str) -> str:
    """The canonical codec name, or a ValueError naming the unknown encoding."""
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise InvalidInput(
            f"unknown text encoding {name!r} (try utf-8, cp1252 or latin-1)"
        ) from exc
