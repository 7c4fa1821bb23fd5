"""Documents in, as resumable units of work recorded in the store.

1. ``add_paths``: every file under the paths given is stored (content-addressed) and
   recorded as an occurrence waiting in its source.
2. ``work``: each waiting occurrence, shallowest first, in a transaction of its own:
   its content is read once (whatever the number of places it was found: the same
   attachment in 300 e-mails is read once and linked 300 times), and the files inside
   it become occurrences below it, waiting in turn.
3. Then OCR, a page per transaction, for pages without text of their own.
4. The mentions of each content (``mentions``, with the names of the subjects the run's
   sources hold) are found as it is read, or, when OCR is to come or a rescan asked
   for it, once its text is final.

An interrupted run (Ctrl-C, ``kill -9``) leaves every finished unit committed and the
rest waiting: running again goes on from there, and adds nothing twice (occurrences
have stable ids, contents are keyed by their hash)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from casegraph.documents import mentions, ocr
from casegraph.documents.extract import extract
from casegraph.documents.extracted import Limits, Unreadable
from casegraph.documents.kinds import detect
from casegraph.documents.language import language_of
from casegraph.documents.parties import parties
from casegraph.errors import InvalidInput
from casegraph.model.visible import Visible
from casegraph.store import documents as store
from casegraph.store import mentions as mention_store
from casegraph.store.blobs import BlobStore

Progress = Callable[[str, int, int], None]
BATCH = 50
_PROPERTIES = (("title", "Title"), ("author", "Author"), ("subject", "Subject"),
               ("keywords", "Keywords"), ("description", "Description"),
               ("modified_by", "Last modified by"), ("created", "Created"),
               ("modified", "Modified"), ("language", "Language"),
               ("category", "Category"))  # fmt: skip


@dataclass
class RunSummary:
    """What one run did, and what went wrong (path, reason) where nothing was stored."""

    files: int = 0
    new_files: int = 0
    read: int = 0
    failed: int = 0
    linked: int = 0
    refused: int = 0
    ocr_pages: int = 0
    ocr_failed: int = 0
    scanned: int = 0
    mentions: int = 0
    parties: int = 0
    seconds: float = 0.0
    unreadable_paths: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "seconds": round(self.seconds, 1)}


class DocumentPipeline:
    def __init__(
        self,
        conn: Connection,
        visible: Visible,
        blobs: BlobStore,
        limits: Limits,
        actor: str,
        commit: Callable[[], None],
        now: Callable[[], datetime],
        progress: Progress | None = None,
        names: Visible | None = None,
    ) -> None:
        self.conn = conn
        self.visible = visible  # the sources whose documents this run works on
        self.names_from = names or visible  # the sources whose subjects' names it looks for
        self.blobs = blobs
        self.limits = limits
        self.actor = actor
        self.commit = commit
        self.now = now
        self.progress = progress or (lambda label, done, total: None)
        self.summary = RunSummary()
        self.parties: dict[str, dict[str, str]] = {}  # e-mail parties read, by source
        self._names: mentions.NameMatcher | None = None
        self._started = time.monotonic()

    # --- 1. files in -------------------------------------------------------------------

    def add_paths(self, paths: Iterable[Path], source: str, ocr_languages: str | None,
                  country: str | None = None) -> None:  # fmt: skip
        found = list(_files(paths))
        for number, (path, shown) in enumerate(found, start=1):
            self.add_file(path, shown, source, ocr_languages, country)
            if number % BATCH == 0:
                self.commit()
            self._tell("storing files", number, len(found))
        self.commit()

    def add_file(self, path: Path, shown: str, source: str, ocr_languages: str | None,
                 country: str | None = None) -> None:  # fmt: skip
        """One file, shown as ``shown`` (its path in the source), waiting to be read."""
        self.summary.files += 1
        try:
            sha, size = self._store_file(path)
        except OSError as exc:
            self.summary.unreadable_paths.append((str(path), exc.strerror or str(exc)))
            return
        store.add_content(self.conn, sha, size, ocr_languages, country)
        new = store.add_occurrence(
            self.conn, self.visible,
            store.Occurrence(store.occurrence_id(source, None, shown), source, sha, None,
                             shown.rsplit("/", 1)[-1], shown, 0, "queued", None),
            self.actor, self.now(),
        )  # fmt: skip
        self.summary.new_files += int(new)

    def _store_file(self, path: Path) -> tuple[str, int]:
        """Keep the file's bytes; one over the size limit is hashed only, and recorded
        as refused."""
        try:
            stored = self.blobs.put(_chunks(path), path.name)
            return stored.sha256, stored.size
        except InvalidInput as exc:
            sha = self.blobs.hash_of(path)
            if store.add_content(self.conn, sha, path.stat().st_size, None):
                store.fail(self.conn, sha, None, "extract", str(exc), self.now())
            return sha, path.stat().st_size

    # --- 2. reading, and the files inside ------------------------------------------------

    def work(self) -> RunSummary:
        done = 0
        total = store.count_queued(self.conn, self.visible)
        while batch := store.queued_occurrences(self.conn, self.visible, BATCH):
            for occurrence in batch:
                self._process(occurrence)
                self.commit()
                done += 1
                total = max(total, done + store.count_queued(self.conn, self.visible)) \
                    if done % BATCH == 0 else max(total, done)  # fmt: skip
                self._tell("reading documents", done, total)
        self._ocr()
        self._mentions()
        self.summary.seconds = time.monotonic() - self._started
        return self.summary

    def _process(self, occurrence: store.Occurrence) -> None:
        content = store.content(self.conn, self.visible, occurrence.sha256)
        if content is None:  # a content erased since: nothing to read
            store.set_state(self.conn, occurrence.id, "linked", None)
            return
        if content["stage"] == "queued":
            self._read(occurrence, content)
        members = store.members(self.conn, self.visible, occurrence.sha256)
        if members and occurrence.depth >= self.limits.max_depth:
            self.summary.refused += 1
            why = (f"nested more than {self.limits.max_depth} levels deep: the files inside "
                   "were not read (a limit against archive bombs)")  # fmt: skip
            store.set_state(self.conn, occurrence.id, "refused", why)
            return
        for position, name, child in members:
            path = f"{occurrence.path}/{name}"
            store.add_occurrence(
                self.conn, self.visible,
                store.Occurrence(store.occurrence_id(occurrence.source, occurrence.id,
                                                     f"{position}:{name}"),
                                 occurrence.source, child, occurrence.id, name.rsplit("/", 1)[-1],
                                 path, occurrence.depth + 1, "queued", None),
                self.actor, self.now(),
            )  # fmt: skip
            self.summary.linked += 1
        store.set_state(self.conn, occurrence.id, "linked", None)

    def _read(self, occurrence: store.Occurrence, content: dict[str, Any]) -> None:
        sha = occurrence.sha256
        try:
            data = b"".join(self.blobs.read(sha))
        except InvalidInput as exc:
            store.fail(self.conn, sha, None, "extract", str(exc), self.now())
            self.summary.failed += 1
            return
        try:
            kind, found = extract(data, occurrence.name, self.limits)
        except Unreadable as exc:
            store.fail(self.conn, sha, _kind(data, occurrence.name), "extract", str(exc),
                       self.now())  # fmt: skip
            self.summary.failed += 1
            return
        members = []
        for child in found.children:
            try:
                stored = self.blobs.put([child.data], child.name)
                store.add_content(self.conn, stored.sha256, stored.size, content["ocr_languages"],
                                  content["country"])  # fmt: skip
                members.append((child.name, stored.sha256))
            except InvalidInput as exc:
                child_sha = hashlib.sha256(child.data).hexdigest()
                if store.add_content(self.conn, child_sha, len(child.data), None):
                    store.fail(self.conn, child_sha, None, "extract", str(exc), self.now())
                members.append((child.name, child_sha))
        waiting = found.needs_ocr if content["ocr_languages"] else []
        if found.notes:
            found.meta["notes"] = found.notes
        about = properties(occurrence.name, kind, found.meta)
        store.save_extracted(self.conn, sha, kind, found.schema, found.pages, found.paged,
                             found.meta, about, waiting, members, self.now())  # fmt: skip
        self.summary.read += 1
        if not waiting:  # the text is final: its mentions now, from the text at hand
            limit = store.MAX_PAGE_CHARS
            texts = [(0, about[:limit])]
            texts += [(n, page[:limit]) for n, page in enumerate(found.pages, start=1)]
            self._final_text(sha, texts, content["country"], found.meta)
        if found.schema == "Email":
            known = self.parties.setdefault(occurrence.source, {})
            for address, name in parties(found.meta).items():
                known[address] = known.get(address) or name

    # --- 3. OCR ----------------------------------------------------------------------------

    def _ocr(self) -> None:
        total = store.count_pending_ocr(self.conn, self.visible)
        done = 0
        cache: tuple[str, bytes] = ("", b"")  # the content of the pages at hand
        while batch := store.pending_ocr(self.conn, self.visible, BATCH):
            for sha, page, languages, kind in batch:
                try:
                    if cache[0] != sha:
                        cache = (sha, b"".join(self.blobs.read(sha)))
                    data = cache[1]
                    image = (ocr.pdf_page_image(data, page) if kind == "pdf"
                             else ocr.frames(data)[page - 1])  # fmt: skip
                    found = ocr.image_text(image, languages or "eng", self.limits.ocr_seconds)
                    store.save_ocr(self.conn, sha, page, found, None)
                except (Unreadable, InvalidInput, IndexError) as exc:  # a stored file missing
                    store.save_ocr(self.conn, sha, page, None, str(exc) or "no such page")
                    self.summary.ocr_failed += 1
                self.summary.ocr_pages += 1
                self.commit()
                done += 1
                self._tell("OCR", done, max(total, done))

    # --- 4. mentions ------------------------------------------------------------------------

    def _mentions(self) -> None:
        """The mentions of the contents whose text changed since they were scanned
        without being read here (OCR, a rescan)."""
        total = mention_store.count_unscanned(self.conn, self.visible)
        done = 0
        while batch := mention_store.unscanned(self.conn, self.visible, BATCH):
            for sha, country in batch:
                pages = [(page, text) for page, text, _, _ in
                         store.pages(self.conn, self.visible, sha)]  # fmt: skip
                content = store.content(self.conn, self.visible, sha)
                self._final_text(sha, pages, country, content["meta"] if content else {})
                done += 1
            self.commit()
            self._tell("finding mentions", done, max(total, done))

    def _final_text(self, sha: str, pages: list[tuple[int, str]], country: str | None,
                    meta: dict[str, Any]) -> None:  # fmt: skip
        """What is read from a content's final text: its mentions and its language."""
        if self._names is None:  # the known names, read once per run when first needed
            known = mention_store.known_names(self.conn, self.names_from)
            self._names = mentions.NameMatcher(known)
        found = list(mentions.scan(pages, country, self._names))
        mention_store.save(self.conn, sha, found)
        store.set_language(self.conn, sha, language_of(meta, (t for n, t in pages if n > 0)))
        self.summary.scanned += 1
        self.summary.mentions += len(found)

    def _tell(self, what: str, done: int, total: int) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        errors = self.summary.failed + self.summary.ocr_failed + len(self.summary.unreadable_paths)
        self.progress(f"{what} · {done / elapsed:.1f}/s · {errors} failed", done, total)


def properties(name: str, kind: str, meta: dict[str, Any]) -> str:
    """The searchable properties of a file: its name, kind and metadata."""
    lines = [f"File name: {name}", f"Kind: {kind}"]
    for key, label in _PROPERTIES:
        if meta.get(key) and (key == "title" or meta[key] != meta.get("title")):
            lines.append(f"{label}: {meta[key]}")
    for key, value in (meta.get("custom") or {}).items():
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _kind(data: bytes, name: str) -> str | None:
    try:
        return detect(data, name)
    except Exception:  # the detector read a damaged container: the kind is unknown
        return None


def _files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Every regular file under ``paths`` (a folder recursively, in name order), with the
    path it is shown under: from the folder's name down, or the file's name."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and not found.is_symlink():
                    yield found, f"{path.resolve().name}/{found.relative_to(path).as_posix()}"
        elif path.is_file():
            yield path, path.name
        else:
            raise InvalidInput(f"{path}: no such file or folder")


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk
