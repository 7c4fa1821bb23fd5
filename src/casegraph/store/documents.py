"""Documents in the store: file contents (once per SHA-256, with their text per page and
the files inside them) and their occurrences (each place a file was found in a source).

Reads of text, metadata and occurrences take a ``Visible``: an occurrence is seen when
its source is, and a content through a seen occurrence only. The full-text index is
SQLite's FTS5 over the pages (``doc_fts``) or PostgreSQL's ``tsvector`` column
(``simple`` configuration) with a GIN index."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, bindparam, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from casegraph.model.visible import Visible
from casegraph.store import scratch
from casegraph.store.tables import doc_files, doc_pages, documents
from casegraph.store.value_lists import one_of

MAX_PAGE_CHARS = 400_000  # one page's text kept and indexed (PostgreSQL's tsvector: 1 MB)
# SQL: an occurrence in a granted source (``:sources``) holds the content of row ``{}``
HELD = "EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = {}.sha256 AND d.source IN :sources)"


def occurrence_id(source: str, parent: str | None, path: str) -> str:
    """Stable: the same file at the same place in a source is the same occurrence."""
    return hashlib.sha1(f"{source}\0{parent or ''}\0{path}".encode()).hexdigest()


@dataclass(frozen=True)
class Occurrence:
    id: str
    source: str
    sha256: str
    parent_id: str | None
    name: str
    path: str
    depth: int
    state: str
    error: str | None


_OCC = "id, source, sha256, parent_id, name, path, depth, state, error"


def add_content(conn: Connection, sha256: str, size: int, ocr_languages: str | None,
                country: str | None = None) -> bool:  # fmt: skip
    """A content waiting to be read, unless it is known; True if it is new. ``country``:
    where the phone numbers it writes without a country code are (None: unknown)."""
    done = conn.execute(
        text("INSERT INTO doc_files (sha256, size, stage, attempts, ocr_languages, pages, paged, "
             "meta, country, scanned) VALUES (:sha, :size, 'queued', 0, :ocr, 0, 0, '{}', "
             ":country, 0) ON CONFLICT (sha256) DO NOTHING"),
        {"sha": sha256, "size": size, "ocr": ocr_languages, "country": country},
    )  # fmt: skip
    return bool(done.rowcount)


def add_occurrence(
    conn: Connection, visible: Visible, occurrence: Occurrence, actor: str, now: datetime
) -> bool:
    """Record where a file was found (in a source ``visible`` grants); True if new. One
    found there again is seen again now (its source's retention counts from then)."""
    if not visible.sees(occurrence.source):
        raise PermissionError(f"source {occurrence.source!r} is not granted")
    done = conn.execute(
        text("INSERT INTO documents (id, source, sha256, parent_id, name, path, depth, state, "
             "error, added_at, added_by, last_seen) VALUES (:id, :source, :sha256, :parent_id, "
             ":name, :path, :depth, :state, :error, :now, :actor, :now) "
             "ON CONFLICT (id) DO NOTHING"),
        {**occurrence.__dict__, "now": now, "actor": actor},
    )  # fmt: skip
    if done.rowcount:
        return True
    conn.execute(text("UPDATE documents SET last_seen = :now WHERE id = :id"),
                 {"id": occurrence.id, "now": now})  # fmt: skip
    return False


def expired(conn: Connection, now: datetime, retention: dict[str, int]) -> list[
        tuple[str, datetime, int]]:  # fmt: skip
    """(source, cutoff, documents) for each source whose documents loaded last before its
    retention period (``retention``: days by source) began: those and the files in them."""
    found = []
    for source, days in sorted(retention.items()):
        cutoff = now - timedelta(days=days)
        count = conn.execute(
            text("SELECT count(*) FROM documents WHERE source = :s AND parent_id IS NULL "
                 "AND last_seen < :c").bindparams(bindparam("c", type_=DateTime)),
            {"s": source, "c": cutoff},
        ).scalar_one()  # fmt: skip
        if count:
            found.append((source, cutoff, int(count)))
    return found


def erase(conn: Connection, source: str, cutoff: datetime) -> tuple[int, list[str]]:
    """Delete the source's documents loaded last before ``cutoff`` with every file found
    in them, and the contents no other document holds any more (text, metadata, files
    inside): how many documents, and the hashes of the contents gone (their stored bytes
    are the caller's to remove, once this is committed). Set-based: the documents and
    contents go through two scratch tables, whatever their number."""
    scratch.fresh(conn, "doc_doomed", "id TEXT PRIMARY KEY, sha256 TEXT NOT NULL")
    conn.execute(
        text("INSERT INTO doc_doomed (id, sha256) WITH RECURSIVE below (id, sha256) AS ("
             "SELECT id, sha256 FROM documents WHERE source = :s AND parent_id IS NULL "
             "AND last_seen < :c UNION SELECT d.id, d.sha256 FROM documents d "
             "JOIN below b ON d.parent_id = b.id) SELECT id, sha256 FROM below")
        .bindparams(bindparam("c", type_=DateTime)),
        {"s": source, "c": cutoff},
    )  # fmt: skip
    scratch.analyze(conn, "doc_doomed")
    erased = conn.exec_driver_sql("DELETE FROM documents WHERE id IN (SELECT id FROM doc_doomed)")
    scratch.fresh(conn, "doc_gone", "sha256 TEXT PRIMARY KEY")
    conn.exec_driver_sql(
        "INSERT INTO doc_gone (sha256) SELECT DISTINCT sha256 FROM doc_doomed g WHERE NOT "
        "EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = g.sha256)"
    )
    for table in ("doc_pages", "doc_members", "doc_mentions", "mention_decisions", "doc_files"):
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE sha256 IN (SELECT sha256 FROM doc_gone)")
    gone = [str(r[0]) for r in conn.exec_driver_sql("SELECT sha256 FROM doc_gone")]
    for name in ("doc_doomed", "doc_gone"):
        conn.exec_driver_sql(f"DELETE FROM {name}")
    return int(erased.rowcount), gone


def queued_occurrences(conn: Connection, visible: Visible, limit: int) -> list[Occurrence]:
    """Occurrences whose files inside are not linked yet, shallowest first."""
    if not visible:
        return []
    rows = conn.execute(
        text(f"SELECT {_OCC} FROM documents WHERE state = 'queued' "
             "AND source IN :sources ORDER BY depth, id LIMIT :n").bindparams(
            expanding("sources")),
        {"sources": list(visible.sources), "n": limit},
    ).all()  # fmt: skip
    return [Occurrence(*row) for row in rows]


def count_queued(conn: Connection, visible: Visible) -> int:
    if not visible:
        return 0
    return int(conn.execute(
        text("SELECT count(*) FROM documents WHERE state = 'queued' AND source IN :sources")
        .bindparams(expanding("sources")), {"sources": list(visible.sources)},
    ).scalar_one())  # fmt: skip


def content(conn: Connection, visible: Visible, sha256: str) -> dict[str, Any] | None:
    """A content's metadata and state, if a granted occurrence holds it."""
    return contents(conn, visible, [sha256]).get(sha256)


def save_extracted(
    conn: Connection,
    sha256: str,
    kind: str,
    schema: str,
    pages: Sequence[str],
    paged: bool,
    meta: dict[str, Any],
    properties: str,
    ocr_pages: Sequence[int],
    members: Sequence[tuple[str, str]],
    now: datetime,
) -> None:
    """A content's text, metadata and members, in place of any earlier reading; pages in
    ``ocr_pages`` wait for OCR (the content stays at stage ``ocr`` until they are done)."""
    conn.execute(text("DELETE FROM doc_pages WHERE sha256 = :sha"), {"sha": sha256})
    conn.execute(text("DELETE FROM doc_members WHERE sha256 = :sha"), {"sha": sha256})
    waiting = set(ocr_pages)
    rows = [{"sha": sha256, "page": 0, "text": properties[:MAX_PAGE_CHARS], "ocr": ""}]
    rows += [{"sha": sha256, "page": n, "text": page[:MAX_PAGE_CHARS],
              "ocr": "pending" if n in waiting else ""}
             for n, page in enumerate(pages, start=1)]  # fmt: skip
    conn.execute(text("INSERT INTO doc_pages (sha256, page, text, ocr) "
                      "VALUES (:sha, :page, :text, :ocr)"), rows)  # fmt: skip
    if members:
        conn.execute(
            text("INSERT INTO doc_members (sha256, position, name, child) "
                 "VALUES (:sha, :position, :name, :child)"),
            [{"sha": sha256, "position": i, "name": name, "child": child}
             for i, (name, child) in enumerate(members)],
        )  # fmt: skip
    conn.execute(
        text("UPDATE doc_files SET kind = :kind, schema = :schema, stage = :stage, "
             "error = NULL, error_stage = NULL, attempts = attempts + 1, pages = :pages, "
             "paged = :paged, title = :title, meta = :meta, message_id = :message_id, "
             "in_reply_to = :in_reply_to, dated = :dated, processed_at = :now, scanned = 0 "
             "WHERE sha256 = :sha"),
        {"sha": sha256, "kind": kind, "schema": schema, "pages": len(pages),
         "stage": "ocr" if waiting else "done", "paged": int(paged),
         "title": (meta.get("title") or None), "meta": json.dumps(meta, default=str),
         "message_id": _short(meta.get("message_id")), "dated": _short(
             meta.get("date") or meta.get("created"), 32),
         "in_reply_to": _short(meta.get("in_reply_to")), "now": now},
    )  # fmt: skip


def set_language(conn: Connection, sha256: str, language: str | None) -> None:
    conn.execute(text("UPDATE doc_files SET language = :language WHERE sha256 = :sha"),
                 {"sha": sha256, "language": language})  # fmt: skip


def fail(conn: Connection, sha256: str, kind: str | None, stage: str, reason: str,
         now: datetime) -> None:  # fmt: skip
    """A content that could not be read at ``stage``, with the reason."""
    conn.execute(
        text("UPDATE doc_files SET stage = 'failed', kind = coalesce(:kind, kind), "
             "error = :error, error_stage = :stage, attempts = attempts + 1, "
             "processed_at = :now WHERE sha256 = :sha"),
        {"sha": sha256, "kind": kind, "error": reason[:2000], "stage": stage, "now": now},
    )  # fmt: skip


def members(conn: Connection, visible: Visible, sha256: str) -> list[tuple[int, str, str]]:
    """(position, name, content) of the files inside a content a granted occurrence holds."""
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        text("SELECT position, name, child FROM doc_members m WHERE sha256 = :sha AND "
             f"{HELD.format('m')} ORDER BY position").bindparams(
            expanding("sources")),
        {"sha": sha256, "sources": list(visible.sources) or [""]}).all()]  # fmt: skip


def set_state(conn: Connection, occurrence_id: str, state: str, error: str | None) -> None:
    conn.execute(text("UPDATE documents SET state = :state, error = :error WHERE id = :id"),
                 {"id": occurrence_id, "state": state, "error": error})  # fmt: skip


def pending_ocr(
    conn: Connection, visible: Visible, limit: int
) -> list[tuple[str, int, str, str]]:
    """(content, page, OCR languages, kind) of pages waiting for OCR, of contents that
    some occurrence in a granted source holds."""
    if not visible:
        return []
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        text("SELECT p.sha256, p.page, f.ocr_languages, f.kind FROM doc_pages p JOIN doc_files f "
             f"ON f.sha256 = p.sha256 WHERE p.ocr = 'pending' AND {HELD.format('p')} "
             "ORDER BY p.sha256, p.page LIMIT :n").bindparams(expanding("sources")),
        {"sources": list(visible.sources), "n": limit}).all()]  # fmt: skip


def count_pending_ocr(conn: Connection, visible: Visible) -> int:
    if not visible:
        return 0
    return int(conn.execute(
        text(f"SELECT count(*) FROM doc_pages p WHERE p.ocr = 'pending' AND {HELD.format('p')}")
        .bindparams(expanding("sources")), {"sources": list(visible.sources)},
    ).scalar_one())  # fmt: skip


def save_ocr(conn: Connection, sha256: str, page: int, found: str | None,
             error: str | None) -> None:  # fmt: skip
    """One page's OCR: its text, or why it failed; a content with no page left waiting
    is done."""
    conn.execute(
        text("UPDATE doc_pages SET text = :text, ocr = :ocr, error = :error "
             "WHERE sha256 = :sha AND page = :page"),
        {"sha": sha256, "page": page, "text": (found or "")[:MAX_PAGE_CHARS],
         "ocr": "failed" if error else "done", "error": error},
    )  # fmt: skip
    conn.execute(
        text("UPDATE doc_files SET stage = 'done', scanned = 0 WHERE sha256 = :sha "
             "AND stage = 'ocr' AND NOT EXISTS (SELECT 1 FROM doc_pages WHERE sha256 = :sha "
             "AND ocr = 'pending')"),
        {"sha": sha256},
    )  # fmt: skip


def retry(
    conn: Connection, visible: Visible, stage: str | None, kind: str | None, failed_only: bool
) -> int:
    """Queue again the contents (of granted sources) that match: failed ones, or all;
    of one kind; for OCR only the pages that failed it (or every OCR page). How many
    contents."""
    if not visible:
        return 0
    where = [HELD.format("f")]
    params: dict[str, Any] = {"sources": list(visible.sources)}
    if kind:
        where.append("f.kind = :kind")
        params["kind"] = kind
    if stage == "ocr":
        page = "p.ocr = 'failed'" if failed_only else "p.ocr IN ('failed', 'done')"
        where.append(f"EXISTS (SELECT 1 FROM doc_pages p WHERE p.sha256 = f.sha256 AND {page})")
    elif failed_only:
        where.append("f.stage = 'failed'")
        if stage:
            where.append("f.error_stage = :stage")
            params["stage"] = stage
    chosen = f"SELECT f.sha256 FROM doc_files f WHERE {' AND '.join(where)}"

    def run(sql: str) -> Any:
        return conn.execute(text(sql).bindparams(expanding("sources")), params)

    queued = int(run(f"SELECT count(*) FROM ({chosen}) c").scalar_one())
    # in an order that leaves ``chosen`` the same until its last use
    if stage == "ocr":
        page = "ocr = 'failed'" if failed_only else "ocr IN ('failed', 'done')"
        run(f"UPDATE doc_files SET stage = 'ocr' WHERE stage = 'done' AND sha256 IN ({chosen})")
        run(f"UPDATE doc_pages SET ocr = 'pending', error = NULL WHERE {page} "
            f"AND sha256 IN ({chosen})")  # fmt: skip
    else:
        run(f"UPDATE documents SET state = 'queued' WHERE source IN :sources "
            f"AND sha256 IN ({chosen})")  # fmt: skip
        run(f"UPDATE doc_files SET stage = 'queued' WHERE sha256 IN ({chosen})")
    return queued


def status(conn: Connection, visible: Visible) -> dict[str, Any]:
    """Counts of granted occurrences by the stage of their content, and by kind."""
    if not visible:
        return {"stages": {}, "kinds": {}, "ocr_pages": {}, "refused": 0}
    base = ("FROM documents d JOIN doc_files f ON f.sha256 = d.sha256 "
            "WHERE d.source IN :sources")  # fmt: skip
    params = {"sources": list(visible.sources)}

    def grouped(sql: str) -> dict[str, int]:
        query = text(sql).bindparams(expanding("sources"))
        return {str(k): int(v) for k, v in conn.execute(query, params).all()}

    stages = grouped(f"SELECT f.stage, count(*) {base} GROUP BY f.stage")
    kinds = grouped(f"SELECT coalesce(f.kind, '?'), count(*) {base} GROUP BY coalesce(f.kind, '?')")
    ocr = grouped(f"SELECT p.ocr, count(*) FROM doc_pages p WHERE p.ocr <> '' AND "
                  f"{HELD.format('p')} GROUP BY p.ocr")
    refused = int(conn.execute(
        text("SELECT count(*) FROM documents d WHERE d.state = 'refused' "
             "AND d.source IN :sources").bindparams(expanding("sources")), params,
    ).scalar_one())  # fmt: skip
    return {"stages": stages, "kinds": kinds, "ocr_pages": ocr, "refused": refused}


def problems(conn: Connection, visible: Visible, limit: int) -> list[dict[str, Any]]:
    """Granted occurrences whose content failed, had a page fail OCR, had files inside
    that could not be read (encrypted members, say), or whose files inside were refused:
    path, kind, stage and reason."""
    if not visible:
        return []
    rows = conn.execute(
        text("SELECT d.id, d.source, d.path, f.kind, f.error_stage, f.error, d.error, "
             "(SELECT count(*) FROM doc_pages p WHERE p.sha256 = f.sha256 AND p.ocr = "
             "'failed'), f.meta FROM documents d JOIN doc_files f ON f.sha256 = d.sha256 "
             "WHERE d.source IN :sources AND (f.stage = 'failed' OR d.state = 'refused' OR "
             "f.meta LIKE :noted OR EXISTS (SELECT 1 FROM doc_pages p WHERE "
             "p.sha256 = f.sha256 AND p.ocr = 'failed')) ORDER BY d.source, d.path LIMIT :n")
        .bindparams(expanding("sources")),
        {"sources": list(visible.sources), "n": limit, "noted": '%"notes": [%'},
    ).all()  # fmt: skip
    out = []
    for doc_id, source, path, kind, stage, error, refused, ocr_failed, meta in rows:
        if error:
            reason, at = error, stage or "extract"
        elif refused:
            reason, at = refused, "unpack"
        elif ocr_failed:
            reason, at = f"{ocr_failed} page(s) failed OCR", "ocr"
        else:
            reason, at = "; ".join(json.loads(meta).get("notes", [])), "unpack"
        out.append({"id": doc_id, "source": source, "path": path, "kind": kind, "stage": at,
                    "reason": reason})  # fmt: skip
    return out


def occurrence(conn: Connection, visible: Visible, doc_id: str) -> Occurrence | None:
    if not visible:
        return None
    row = conn.execute(
        text(f"SELECT {_OCC} FROM documents WHERE id = :id AND source IN :sources")
        .bindparams(expanding("sources")), {"id": doc_id, "sources": list(visible.sources)},
    ).first()  # fmt: skip
    return Occurrence(*row) if row else None


def children(conn: Connection, visible: Visible, doc_id: str) -> list[Occurrence]:
    rows = conn.execute(
        text(f"SELECT {_OCC} FROM documents WHERE parent_id = :id AND source IN :sources "
             "ORDER BY path").bindparams(expanding("sources")),
        {"id": doc_id, "sources": list(visible.sources) or [""]},
    ).all()  # fmt: skip
    return [Occurrence(*row) for row in rows]


def ancestors(conn: Connection, visible: Visible, doc: Occurrence) -> list[Occurrence]:
    """The occurrences ``doc`` sits in, outermost first."""
    out: list[Occurrence] = []
    current = doc
    while current.parent_id:
        parent = occurrence(conn, visible, current.parent_id)
        if parent is None:
            break
        out.insert(0, parent)
        current = parent
    return out


def pages(
    conn: Connection, visible: Visible, sha256: str
) -> list[tuple[int, str, str, str | None]]:
    """(page, text, ocr state, OCR error) of a content a granted occurrence holds,
    properties (page 0) first."""
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        text("SELECT page, text, ocr, error FROM doc_pages p WHERE sha256 = :sha AND "
             f"{HELD.format('p')} ORDER BY page").bindparams(expanding("sources")),
        {"sha": sha256, "sources": list(visible.sources) or [""]}).all()]  # fmt: skip


def page_text(conn: Connection, visible: Visible, sha256: str, page: int) -> str:
    """One page's text of a content a granted occurrence holds ("" if there is none)."""
    found = conn.execute(
        text("SELECT text FROM doc_pages p WHERE sha256 = :sha AND page = :page AND "
             f"{HELD.format('p')}").bindparams(expanding("sources")),
        {"sha": sha256, "page": page, "sources": list(visible.sources) or [""]},
    ).scalar()  # fmt: skip
    return str(found or "")


def thread(conn: Connection, visible: Visible, message_ids: Sequence[str],
           cap: int = 500) -> list[Occurrence]:  # fmt: skip
    """Granted occurrences of the messages of a thread: those with these ids, those
    replying to them, and so on (at most ``cap``), oldest first."""
    ids = {m for m in message_ids if m}
    if not ids or not visible:
        return []
    found: dict[str, tuple[Any, ...]] = {}
    columns = ", ".join("d." + c for c in _OCC.split(", "))
    while len(found) < cap:
        rows = conn.execute(
            text(f"SELECT {columns}, f.message_id, f.in_reply_to, f.dated FROM documents d "
                 "JOIN doc_files f ON f.sha256 = d.sha256 WHERE (f.message_id IN :ids OR "
                 "f.in_reply_to IN :ids) AND d.source IN :sources")
            .bindparams(expanding("ids"), expanding("sources")),
            {"ids": sorted(ids), "sources": list(visible.sources)},
        ).all()  # fmt: skip
        new = [r for r in rows if r[0] not in found]
        if not new:
            break
        for row in new:
            found[row[0]] = tuple(row)
            ids.update(i for i in (row[-3], row[-2]) if i)
    ordered = sorted(found.values(), key=lambda r: (r[-1] or "", r[5]))[:cap]
    return [Occurrence(*row[:9]) for row in ordered]


@dataclass(frozen=True)
class Hit:
    sha256: str
    page: int
    page_id: int  # the page's row: its text is read for the hits shown only
    rank: float


_WORD = re.compile(r"\w+", re.UNICODE)
# PostgreSQL's parser reads "anna@example.org" or "dir/file.pdf" as one word, SQLite's
# FTS5 as several: the text and the query are indexed with ASCII punctuation as spaces,
# so that both stores find the same words
_PUNCT = "regexp_replace({}, '[[:punct:]]+', ' ', 'g')"


def query_terms(query: str) -> tuple[list[str], list[str]]:
    """The quoted phrases and the other words of a text query."""
    phrases = [p for p in re.findall(r'"([^"]+)"', query) if _WORD.search(p)]
    return phrases, _WORD.findall(re.sub(r'"[^"]*"', " ", query))


def _of_schemata(alias: str, schemata: Collection[str] | None, params: dict[str, Any]) -> str:
    """A condition on the content of ``alias`` being of one of ``schemata`` (None: any)."""
    if schemata is None:
        return "1 = 1"
    params["schemata"] = sorted(schemata) or [""]
    return (f"EXISTS (SELECT 1 FROM doc_files sf WHERE sf.sha256 = {alias}.sha256 "
            "AND sf.schema IN :schemata)")  # fmt: skip


def search(conn: Connection, visible: Visible, query: str, limit: int,
           schemata: Collection[str] | None = None) -> list[Hit]:  # fmt: skip
    """The best page of each content matching ``query`` (words, all of them; a phrase in
    double quotes, in order) that a granted occurrence holds, best first: of at most
    ``limit`` contents (of ``schemata``, if given)."""
    phrases, words = query_terms(query)
    if not visible or not (phrases or words):
        return []
    params: dict[str, Any] = {"sources": list(visible.sources), "n": limit * 5}
    held = f"{HELD.format('p')} AND {_of_schemata('p', schemata, params)}"
    if conn.dialect.name == "sqlite":
        terms = [f'"{" ".join(_WORD.findall(p))}"' for p in phrases]
        terms += [f'"{w}"' for w in words]
        params["q"] = " ".join(terms)
        sql = ("SELECT p.id, p.sha256, p.page, bm25(doc_fts) FROM doc_fts JOIN doc_pages p "
               f"ON p.id = doc_fts.rowid WHERE doc_fts MATCH :q AND {held} "
               "ORDER BY bm25(doc_fts) LIMIT :n")
    else:
        parts = [f"phraseto_tsquery('simple', {_PUNCT.format(f':p{i}')})"
                 for i in range(len(phrases))]  # fmt: skip
        params.update({f"p{i}": phrase for i, phrase in enumerate(phrases)})
        if words:
            parts.append(f"plainto_tsquery('simple', {_PUNCT.format(':words')})")
            params["words"] = " ".join(words)
        sql = ("SELECT p.id, p.sha256, p.page, -ts_rank(p.tsv, tq.q) FROM doc_pages p, "
               f"(SELECT {' && '.join(parts)} AS q) tq WHERE p.tsv @@ tq.q AND {held} "
               "ORDER BY ts_rank(p.tsv, tq.q) DESC LIMIT :n")
    # the best page of each content; its properties (page 0) only when no page matches
    best: dict[str, tuple[int, int, float]] = {}
    for page_id, sha, page, rank in conn.execute(
        text(sql).bindparams(*[expanding(n) for n in ("sources", "schemata") if n in params]),
        params,
    ):  # fmt: skip
        if sha not in best or (best[sha][1] == 0 and page > 0):
            best[sha] = (page_id, page, float(rank))
    chosen = sorted(best.items(), key=lambda item: item[1][2])[:limit]
    return [Hit(sha, page, page_id, rank) for sha, (page_id, page, rank) in chosen]


def listed(conn: Connection, visible: Visible, limit: int,
           schemata: Collection[str] | None = None) -> list[Hit]:  # fmt: skip
    """The read contents a granted occurrence holds (of ``schemata``, if given), the
    latest first: the first page of each (its properties if it has none)."""
    if not visible:
        return []
    params: dict[str, Any] = {"sources": list(visible.sources), "n": limit}
    rows = conn.execute(
        text("SELECT f.sha256, f.pages FROM doc_files f WHERE f.stage IN ('done', 'ocr') "
             f"AND {HELD.format('f')} AND {_of_schemata('f', schemata, params)} "
             "ORDER BY CASE WHEN f.dated IS NULL THEN 1 ELSE 0 END, f.dated DESC, f.sha256 "
             "LIMIT :n")
        .bindparams(*[expanding(n) for n in ("sources", "schemata") if n in params]), params,
    ).all()  # fmt: skip
    first = {str(sha): 1 if pages else 0 for sha, pages in rows}
    ids = {(str(sha), int(page)): int(i) for i, sha, page in conn.execute(
        select(doc_pages.c.id, doc_pages.c.sha256, doc_pages.c.page)
        .where(one_of(conn, doc_pages.c.sha256, list(first)), doc_pages.c.page <= 1))}
    return [Hit(sha, page, ids[(sha, page)], 0.0) for sha, page in first.items()
            if (sha, page) in ids]  # fmt: skip


def texts_of(conn: Connection, hits: Sequence[Hit]) -> dict[int, str]:
    """The text of the pages of ``hits`` (found under a ``Visible`` already), by row."""
    return dict(conn.execute(
        text("SELECT id, text FROM doc_pages WHERE id IN :ids").bindparams(expanding("ids")),
        {"ids": [h.page_id for h in hits] or [-1]},
    ).all())  # fmt: skip


def facts(
    conn: Connection, visible: Visible, shas: Sequence[str]
) -> dict[str, tuple[str | None, str | None, str | None, set[str]]]:
    """(schema, language, date, sources of its granted occurrences) of each content."""
    if not visible or not shas:
        return {}
    sources: dict[str, set[str]] = {}
    for sha, source in conn.execute(
        select(documents.c.sha256, documents.c.source).distinct()
        .where(one_of(conn, documents.c.sha256, shas), documents.c.source.in_(visible.sources))
    ):  # fmt: skip
        sources.setdefault(str(sha), set()).add(str(source))
    rows = conn.execute(select(doc_files.c.sha256, doc_files.c.schema, doc_files.c.language,
                               doc_files.c.dated)
                        .where(one_of(conn, doc_files.c.sha256, list(sources))))  # fmt: skip
    return {str(sha): (schema, language, dated, sources[str(sha)])
            for sha, schema, language, dated in rows}  # fmt: skip


def occurrences_of(
    conn: Connection, visible: Visible, contents: Sequence[str]
) -> dict[str, list[Occurrence]]:
    """The granted occurrences of each content, the shallowest first."""
    if not contents or not visible:
        return {}
    rows = conn.execute(
        text(f"SELECT {_OCC} FROM documents WHERE sha256 IN :shas AND source IN :sources "
             "ORDER BY depth, path").bindparams(expanding("shas"), expanding("sources")),
        {"shas": list(contents), "sources": list(visible.sources)},
    ).all()  # fmt: skip
    out: dict[str, list[Occurrence]] = {}
    for row in rows:
        found = Occurrence(*row)
        out.setdefault(found.sha256, []).append(found)
    return out


def contents(
    conn: Connection, visible: Visible, shas: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Metadata and state of the contents that granted occurrences hold, by hash."""
    if not shas or not visible:
        return {}
    rows = conn.execute(doc_files.select().where(one_of(conn, doc_files.c.sha256, shas),
                                                 held(visible, doc_files.c.sha256)))  # fmt: skip
    out = {}
    for row in rows.mappings():
        item = dict(row)
        item["meta"] = json.loads(item["meta"] or "{}")
        out[item["sha256"]] = item
    return out


def _short(value: Any, size: int = 255) -> str | None:
    return str(value)[:size] if value else None


def held(visible: Visible, sha256: ColumnElement[Any]) -> ColumnElement[bool]:
    """``HELD`` as an expression: a granted occurrence holds the content ``sha256``."""
    return select(documents.c.sha256).where(documents.c.sha256 == sha256,
                                            documents.c.source.in_(visible.sources)).exists()


def expanding(name: str) -> Any:
    """A bound list parameter (``IN :name``)."""
    return bindparam(name, expanding=True)
