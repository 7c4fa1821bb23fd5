"""Guessing the text encoding of a source file when the user did not name one."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

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
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is None or best.encoding in ("ascii", "utf_8"):
        return FALLBACK
    return str(best.encoding)


def check_encoding(name: str) -> str:
    """The canonical codec name, or a ValueError naming the unknown encoding."""
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise ValueError(f"unknown text encoding {name!r} (try utf-8, cp1252 or latin-1)") from exc
