"""What one bad file may cost: archive bombs refused before anything is unpacked,
encrypted archives recorded as such, a file's kind told by its bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from casegraph.config import Settings
from casegraph.documents.extract import extract
from casegraph.documents.extracted import Limits, Unreadable

LIMITS = Limits.of(Settings())


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_an_archive_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = _zip({"zeros.bin": bytes(60 * 1024**2)})  # 60 MB of zeros in about 60 KB
    assert len(bomb) < 200_000
    with pytest.raises(Unreadable, match="refused as a possible archive bomb"):
        extract(bomb, "harmless.zip", LIMITS)
    # the same inside an office file
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(60 * 1024**2)})
    with pytest.raises(Unreadable, match="archive bomb"):
        extract(docx, "report.docx", LIMITS)
    small = Limits.of(Settings(document_max_members=3))
    with pytest.raises(Unreadable, match="4 members, more than the limit of 3"):
        extract(_zip({f"{n}.txt": b"x" for n in range(4)}), "many.zip", small)


def test_an_encrypted_archive_is_recorded_as_such(shared_data: Path) -> None:
    data = (shared_data / "docs/archives/tika_testZipEncrypted.zip").read_bytes()
    try:
        kind, found = extract(data, "tika_testZipEncrypted.zip", LIMITS)
    except Unreadable as exc:
        assert "encrypted" in str(exc)
        return
    assert kind == "zip" and any("encrypted" in note for note in found.notes)


def test_a_kind_comes_from_the_bytes_not_the_name() -> None:
    pdf_in_zip = _zip({"a.pdf": b"%PDF-1.4 not really"})
    assert extract(pdf_in_zip, "statement.pdf", LIMITS)[0] == "zip"
    with pytest.raises(Unreadable, match="unknown file type"):
        extract(bytes(range(256)) * 4, "data.txt", LIMITS)
