"""Page pictures and downloads, on both stores: a PDF page and a scan's frame come back
as PNGs a screen can show, recorded as consultations with their purpose; a download is
a disclosure, on the record with its recipient before any byte leaves; a reader not
cleared for the source gets neither, and a file without pages has no picture."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from casegraph.access.context import AccessContext
from casegraph.cases.rules import CaseError
from casegraph.errors import InvalidInput, NotFound
from casegraph.service import Workspace
from casegraph.store import ledger
from tests.conftest import add_source
from tests.documents.test_corpus import by_path, load

WHY = "reading the seized statements"


def _png(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as opened:
        return opened.size


def test_page_pictures_and_downloads_are_recorded(
    workspace: Workspace, ctx: AccessContext, shared_data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    shutil.copy(shared_data / "docs/pdf/pdflatex-4-pages.pdf", folder / "statement.pdf")
    shutil.copy(shared_data / "docs/scanned/phototest.tif", folder / "scan.tif")
    (folder / "note.txt").write_text("A note without pages.\n")
    with workspace.session(ctx) as s:
        add_source(s, "vault", "RESTRICTED")
        load(s, folder, "vault", ocr=None)
        ids = {path.split("/")[-1]: d["id"] for path, d in by_path(s).items()}
        s.identities.add_team("desk", "Desk")  # cleared for PUBLIC only
        s.identities.grant("desk", "PUBLIC")
        s.identities.add_user("vic", "vic", "viewer", "pictures password 1")
        s.identities.add_member("desk", "vic")
    with workspace.session(AccessContext("tester", justification=WHY, local=True)) as s:
        assert s.documents.read(ids["statement.pdf"])["pictured"] is True
        assert s.documents.read(ids["note.txt"])["pictured"] is False
        width, height = _png(s.documents.page_image(ids["statement.pdf"], 4))
        assert 1100 <= width <= 1200 and height > width  # a portrait page at screen width
        assert _png(s.documents.page_image(ids["scan.tif"], 1))[0] <= 1200
        with pytest.raises(InvalidInput, match="no page 5: the document has 4"):
            s.documents.page_image(ids["statement.pdf"], 5)
        with pytest.raises(InvalidInput, match="has no page pictures"):
            s.documents.page_image(ids["note.txt"], 1)
        with pytest.raises(CaseError, match="recipient"):
            s.documents.download(ids["statement.pdf"], " ")
        meta, body = s.documents.download(ids["statement.pdf"], "the prosecutor's office")
        # on the record (committed) before the first byte is read
        with workspace.engine.connect() as conn:
            sent = [e for e in ledger.iter_entries(conn) if e.action == "document.download"]
        assert [(e.refs["recipient"], e.refs["document"]) for e in sent] == [
            ("the prosecutor's office", ids["statement.pdf"])]  # fmt: skip
        data = b"".join(body)
        assert data == (folder / "statement.pdf").read_bytes() and meta["size"] == len(data)
    with workspace.session(AccessContext("vic", justification=WHY)) as s:
        with pytest.raises(NotFound):
            s.documents.page_image(ids["statement.pdf"], 1)
        with pytest.raises(NotFound):
            s.documents.download(ids["statement.pdf"], "a friend")
    with workspace.engine.connect() as conn:
        entries = [e for e in ledger.iter_entries(conn)
                   if e.action in ("document.page", "document.download")]  # fmt: skip
    assert [(e.actor, e.action, e.outcome, e.refs.get("page")) for e in entries] == [
        ("tester", "document.page", "ok", 4), ("tester", "document.page", "ok", 1),
        ("tester", "document.page", "ok", 5), ("tester", "document.page", "ok", 1),
        ("tester", "document.download", "ok", None),
        ("vic", "document.page", "ok", 1), ("vic", "document.download", "ok", None),
    ]  # fmt: skip
    assert all(e.justification == WHY for e in entries)
