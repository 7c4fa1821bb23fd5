"""Documents through the audited session: loading files (``ingest-docs``), the state of
the work and retries, full-text search of their text, and reading one document.

Loading is processing under the ``ingest`` permission, in the caller's cleared sources;
searching and reading text are consultations (a purpose, recorded with what was asked),
like reading a profile."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followthemoney.types import registry

from casegraph.access import roles
from casegraph.cases.rules import written
from casegraph.documents import ocr, snippets
from casegraph.documents.extracted import Limits, Unreadable
from casegraph.documents.parties import entities
from casegraph.documents.pictures import PICTURED, page_png
from casegraph.documents.pipeline import DocumentPipeline, Progress, RunSummary
from casegraph.errors import InvalidInput, NotFound
from casegraph.model.clock import utcnow
from casegraph.model.sources import case_compartment, is_case_compartment
from casegraph.model.visible import Visible
from casegraph.search import document_query
from casegraph.search.document_query import DocumentResults, Facts, matches, may_match
from casegraph.search.engine import FIELDS as SUBJECT_FIELDS
from casegraph.search.query import fields, free_text, parse
from casegraph.store import documents as store
from casegraph.store.blobs import BlobStore

if TYPE_CHECKING:
    from casegraph.service import Session

STAGES = ("extract", "ocr")
CANDIDATES = 1000  # documents a search filters and counts facets over, the best first
FACET_VALUES = 20


class DocumentService:
    def __init__(self, session: Session) -> None:
        self.s = session
        settings = session.workspace.settings
        self.limits = Limits.of(settings)
        self.blobs = BlobStore(settings.documents_dir, settings.document_max_bytes,
                               "CASEGRAPH_DOCUMENT_MAX_BYTES")  # fmt: skip

    def _pipeline(self, visible: Visible, progress: Progress | None, commit: bool = True,
                  names: Visible | None = None) -> DocumentPipeline:  # fmt: skip
        return DocumentPipeline(self.s.conn, visible, self.blobs, self.limits, self.s.ctx.actor,
                                self.s.commit if commit else _later, utcnow, progress,
                                names)  # fmt: skip

    def ingest(
        self,
        paths: Sequence[Path],
        source: str,
        ocr_languages: str | None = "",
        progress: Progress | None = None,
        country: str | None = None,
    ) -> RunSummary:
        """Load files and folders (recursively) into ``source`` and read them, with what
        earlier runs left waiting. ``ocr_languages``: Tesseract codes joined by "+"
        ("" for the workspace's default, None for no OCR); ``country``: where the phone
        numbers the files write without a country code are (two letters; None: only
        numbers written with their country code are found)."""
        self.s.require(roles.INGEST, "load documents")
        self.s.sources.require_visible(source)
        missing = [str(p) for p in paths if not Path(p).exists()]
        if missing:
            raise InvalidInput(f"{missing[0]}: no such file or folder")
        languages = self._languages(ocr_languages)
        code = registry.country.clean(country) if country is not None else None
        if country is not None and code is None:
            raise InvalidInput(f"{country!r} is not a country code (two letters, e.g. DE)")
        visible = self.s.with_cases(self.s.process(
            "documents.ingest", roles.INGEST, {"source": source, "paths": [
                Path(p).name for p in paths], "ocr": languages, "country": code}))  # fmt: skip
        pipeline = self._pipeline(visible, progress)
        pipeline.add_paths([Path(p) for p in paths], source, languages, code)
        summary = self._finish(pipeline, progress)
        self.s.record("documents.ingested", {"source": source, **_counts(summary)})
        return summary

    def add_case_file(self, case_id: str, path: Path, name: str) -> RunSummary:
        """A case's evidence file read as a document (text, files inside, mentions), in
        the case's compartment: its members see it, as they see the case. The caller
        checked that they may add evidence to the case."""
        source = case_compartment(case_id)
        try:
            languages = self._languages("")
        except InvalidInput:  # no Tesseract here: the text layers are read all the same
            languages = None
        visible = self.s.with_cases(self.s.process(
            "documents.ingest", roles.READ_SUBJECTS, {"case": case_id, "paths": [name],
                                                      "ocr": languages}))  # fmt: skip
        # in the upload's own transaction (evidence and its documents, or neither), on
        # this case's documents alone; the names looked for are of all the caller sees
        own = self.s.narrowed(visible, [source])
        pipeline = self._pipeline(own, None, commit=False, names=visible)
        pipeline.add_file(path, name, source, languages)
        summary = pipeline.work()
        self.s.record("documents.ingested", {"case": case_id, **_counts(summary)})
        return summary

    def erase_case(self, case_id: str) -> tuple[int, list[str]]:
        """Erase the documents of a case's evidence, with the case: how many, and the
        contents no document holds any more (their bytes are the caller's to remove,
        with ``blobs``, once this is committed)."""
        until = utcnow() + timedelta(days=1)  # every document of the case, whenever seen
        return store.erase(self.s.conn, case_compartment(case_id), until)

    def work(self, progress: Progress | None = None) -> RunSummary:
        """Finish what waits in the caller's sources (after an interruption or a retry)."""
        visible = self.s.with_cases(self.s.process("documents.work", roles.INGEST))
        summary = self._finish(self._pipeline(visible, progress), progress)
        self.s.record("documents.worked", _counts(summary))
        return summary

    def retry(
        self,
        failed_only: bool = True,
        kind: str | None = None,
        stage: str | None = None,
        progress: Progress | None = None,
    ) -> tuple[int, RunSummary]:
        """Queue again what matches (failed documents, or all; of one kind; the OCR of
        pages, or reading), then work it off. How many documents were queued."""
        if stage is not None and stage not in STAGES:
            raise InvalidInput(f"no stage {stage!r}; stages are: {', '.join(STAGES)}")
        if stage == "ocr":
            self._languages("")  # Tesseract and its languages are here
        refs = {"failed_only": failed_only, "kind": kind, "stage": stage}
        visible = self.s.with_cases(self.s.process("documents.retry", roles.INGEST, refs))
        queued = store.retry(self.s.conn, visible, stage, kind, failed_only)
        self.s.commit()
        return queued, self._finish(self._pipeline(visible, progress), progress)

    def status(self, limit: int = 200) -> dict[str, Any]:
        """Counts by stage and kind, pages of OCR, and the documents that failed, with
        their reasons (paths and names of files: a consultation of the sources' data)."""
        visible = self.s.with_cases(self.s.process("documents.status", roles.INGEST))
        out = store.status(self.s.conn, visible)
        out["waiting"] = store.count_queued(self.s.conn, visible)
        out["problems"] = store.problems(self.s.conn, visible, limit)
        return out

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Documents alone, by the query language of ``search`` (``casegraph docs
        search``): a consultation, recorded with the query."""
        # a query that cannot be read fails before anything is recorded
        document_query.check(parse(query), SUBJECT_FIELDS)
        visible = self.s.consult("documents.search", {"query": query})
        return self.hits(visible, query, limit).hits

    def hits(
        self, visible: Visible, query: str, limit: int, facets: Sequence[str] = ()
    ) -> DocumentResults:
        """Documents matching ``query`` (``search.document_query``) under a consultation
        already recorded (the caller's cases' documents too): the best page of each, with
        a snippet and where the words matched in it; facet counts over the first
        ``CANDIDATES`` matches (the latest read, for a query of filters only)."""
        tree = parse(query)
        words = free_text(tree)
        if tree is None or not may_match(tree) or not (
                words or set(fields(tree)) & document_query.FIELDS):  # fmt: skip
            return DocumentResults()
        wide = visible = self.s.with_cases(visible)
        sources, schemata = document_query.required(tree)
        if sources is not None:  # the documents of those sources; subjects of all
            visible = self.s.narrowed(visible, sources)
        conn = self.s.conn
        found = (store.search(conn, visible, words, CANDIDATES, schemata) if words
                 else store.listed(conn, visible, CANDIDATES, schemata))  # fmt: skip
        if not found:
            return DocumentResults()
        known = store.facts(conn, visible, [h.sha256 for h in found])
        mentions: dict[str, set[str]] = {}
        if "mentions" in facets or document_query.mentioned(tree):
            mentions = self.s.mentions.subjects_of(visible, sorted(known), wide)
        facts = {sha: Facts(*row, mentions=mentions.get(sha, set()))
                 for sha, row in known.items()}  # fmt: skip
        kept = [h for h in found if h.sha256 in facts and matches(tree, facts[h.sha256])]
        out = DocumentResults(total=len(kept), more=len(found) >= CANDIDATES)
        for name in facets:
            out.facets[name] = document_query.counts((facts[h.sha256] for h in kept), name,
                                                     FACET_VALUES)  # fmt: skip
        out.labels = self.s.mentions.captions(wide, {v for v, _ in out.facets.get(
            "mentions", [])})  # fmt: skip
        shown = kept[:limit]
        texts = store.texts_of(conn, shown)
        places = store.occurrences_of(conn, visible, [h.sha256 for h in shown])
        files = store.contents(conn, visible, [h.sha256 for h in shown])
        phrases, terms = store.query_terms(words)
        for hit in shown:
            where = places.get(hit.sha256)
            if not where:
                continue
            first, info = where[0], files[hit.sha256]
            snippet, marks = snippets.snippet(texts.get(hit.page_id, ""), [*phrases, *terms])
            out.hits.append({
                "id": first.id, "name": first.name, "path": first.path, "source": first.source,
                "schema": info["schema"], "kind": info["kind"], "title": info["title"],
                "dated": info["dated"], "language": info["language"], "page": hit.page,
                "paged": bool(info["paged"]), "snippet": snippet, "highlights": marks,
                "places": len(where),
            })  # fmt: skip
        return out

    def read(self, doc_id: str) -> dict[str, Any]:
        """One document: where it is (the archive, e-mail or folder around it, the files
        inside it, the other places the same file was found), its metadata and its text
        per page. A consultation, recorded with the document."""
        visible, found, info = self._consulted("document.read", {"document": doc_id})
        pages = store.pages(self.s.conn, visible, found.sha256)
        meta = info.get("meta", {})
        thread = []
        if info.get("message_id") or info.get("in_reply_to"):
            ids = [info.get("message_id"), info.get("in_reply_to"), *meta.get("references", [])]
            thread = [_place(o) for o in store.thread(self.s.conn, visible, [i for i in ids if i])
                      if o.id != found.id]  # fmt: skip
        others = store.occurrences_of(self.s.conn, visible, [found.sha256]).get(found.sha256, [])
        return {
            **_place(found),
            "sha256": found.sha256, "kind": info.get("kind"), "schema": info.get("schema"),
            "size": info.get("size"), "stage": info.get("stage"), "error": info.get("error"),
            "title": info.get("title"), "meta": meta, "paged": bool(info.get("paged")),
            "language": info.get("language"),
            "properties": next((text for page, text, _, _ in pages if page == 0), ""),
            "pages": [{"page": page, "text": text, "ocr": state or None, "error": error}
                      for page, text, state, error in pages if page > 0],
            "within": [_place(o) for o in store.ancestors(self.s.conn, visible, found)],
            "inside": [_place(o) for o in store.children(self.s.conn, visible, found.id)],
            "also_at": [_place(o) for o in others if o.id != found.id],
            "thread": thread,
            "mentions": self.s.mentions.of_content(visible, found.sha256),
            "pictured": info.get("kind") in PICTURED and info.get("stage") in ("done", "ocr"),
        }  # fmt: skip

    def page_image(self, doc_id: str, page: int) -> bytes:
        """Page ``page`` of a PDF or a scanned image as a PNG to read beside its text. A
        consultation, recorded with the document and the page."""
        _, found, info = self._consulted("document.page", {"document": doc_id, "page": page})
        stored = self.blobs.path(found.sha256)
        if not stored.exists():
            raise InvalidInput(f"document {doc_id}: the stored file is missing")
        try:  # from the file: a page of a large scan without reading all of it
            return page_png(stored, info.get("kind") or "", page)
        except Unreadable as exc:
            raise InvalidInput(f"document {doc_id}, page {page}: {exc}") from None

    def download(self, doc_id: str, recipient: str) -> tuple[dict[str, Any], Iterator[bytes]]:
        """The file itself, as it was found: a disclosure to ``recipient``, committed to
        the ledger before any byte leaves."""
        recipient = written("the recipient", recipient, 2)
        _, found, info = self._consulted("document.download",
                                         {"document": doc_id, "recipient": recipient})  # fmt: skip
        state = self.blobs.check(found.sha256)
        if state != "intact":
            raise InvalidInput(f"document {doc_id}: the stored file is {state}; nothing was sent")
        body = self.blobs.read(found.sha256)
        self.s.commit()  # the consultation, with its recipient, is on the record first
        return {"name": found.name, "sha256": found.sha256, "size": info.get("size"),
                "kind": info.get("kind")}, body  # fmt: skip

    def _consulted(
        self, action: str, refs: dict[str, Any]
    ) -> tuple[Visible, store.Occurrence, dict[str, Any]]:
        """The document ``refs["document"]`` names, read for ``action`` (a consultation,
        recorded with ``refs``): the caller's view, the occurrence, its content's
        metadata. Not found when the caller may not see it."""
        visible = self.s.with_cases(self.s.consult(action, refs))
        found = store.occurrence(self.s.conn, visible, refs["document"])
        if found is None:
            raise NotFound(f"no document {refs['document']!r}")
        return visible, found, store.content(self.s.conn, visible, found.sha256) or {}

    def _finish(self, pipeline: DocumentPipeline, progress: Progress | None) -> RunSummary:
        """Work off what waits; then the senders and recipients of the e-mails read
        become subjects of the source the messages are in, loaded as any FtM file is
        (a case's evidence is in no source: its parties are not loaded)."""
        summary = pipeline.work()
        for source, found in sorted(pipeline.parties.items()):
            if not found or is_case_compartment(source):
                continue
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "e-mail-parties.ftm.json"
                path.write_text("".join(json.dumps(e) + "\n" for e in entities(found)))
                self.s.ingest.ftm(path, source, progress)
            summary.parties += len(found)
        return summary

    def _languages(self, wanted: str | None) -> str | None:
        if wanted is None:
            return None
        try:
            return ocr.check_languages(wanted or self.s.workspace.settings.ocr_languages)
        except Unreadable as exc:
            raise InvalidInput(str(exc)) from None


def _later() -> None:
    """No commit here: the caller's transaction commits the work with the rest."""


def _place(o: store.Occurrence) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "path": o.path, "source": o.source, "depth": o.depth,
            "state": o.state, "refused": o.error}  # fmt: skip


def _counts(summary: RunSummary) -> dict[str, Any]:
    data = summary.to_dict()
    data["unreadable_paths"] = len(summary.unreadable_paths)
    return data
