"""Mentions in the store: what each content's text mentions (``doc_mentions``, found
again whenever its text changes) and the analysts' decisions on them
(``mention_decisions``, by place and text, so that they outlive a re-reading).

Reads take a ``Visible``: mentions of a content through a granted occurrence only
(``documents.HELD``); the subjects a mention links to are found by the caller, under
the same ``Visible``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, text
from sqlalchemy.engine import Connection

from casegraph.model.mentions import Mention
from casegraph.model.visible import Visible
from casegraph.store.documents import HELD, expanding, held
from casegraph.store.search_index import fulltext_condition, fulltext_expression
from casegraph.store.tables import doc_mentions, mention_decisions
from casegraph.store.value_lists import one_of

_PLACE = ("z.sha256 = m.sha256 AND z.page = m.page AND z.char_start = m.char_start "
          "AND z.char_end = m.char_end AND z.text = m.text")


@dataclass(frozen=True)
class Decision:
    """An analyst's decision on one subject a mention links to (or is linked to)."""

    subject: str
    decision: str  # accepted, rejected, linked
    decided_by: str
    decided_at: datetime


def _sources(visible: Visible) -> dict[str, Any]:
    return {"sources": list(visible.sources) or [""]}


def unscanned(conn: Connection, visible: Visible, limit: int) -> list[tuple[str, str | None]]:
    """(content, country) of read contents whose text was not scanned since it changed."""
    if not visible:
        return []
    return [(str(s), c) for s, c in conn.execute(
        text(f"SELECT f.sha256, f.country FROM doc_files f WHERE f.scanned = 0 "
             f"AND f.stage = 'done' AND {HELD.format('f')} ORDER BY f.sha256 LIMIT :n")
        .bindparams(expanding("sources")), {**_sources(visible), "n": limit})]  # fmt: skip


def count_unscanned(conn: Connection, visible: Visible) -> int:
    if not visible:
        return 0
    return int(conn.execute(
        text(f"SELECT count(*) FROM doc_files f WHERE f.scanned = 0 AND f.stage = 'done' "
             f"AND {HELD.format('f')}").bindparams(expanding("sources")), _sources(visible),
    ).scalar_one())  # fmt: skip


def save(conn: Connection, sha256: str, found: Sequence[Mention]) -> None:
    """A content's mentions, in place of those found before; the content is scanned."""
    conn.execute(text("DELETE FROM doc_mentions WHERE sha256 = :sha"), {"sha": sha256})
    if found:
        conn.execute(
            text("INSERT INTO doc_mentions (sha256, page, char_start, char_end, text, rule, "
                 "field, key) VALUES (:sha, :page, :start, :end, :text, :rule, :field, :key)"),
            [{"sha": sha256, "page": m.page, "start": m.start, "end": m.end, "text": m.text,
              "rule": m.rule, "field": m.field, "key": m.key[:255]} for m in found],
        )  # fmt: skip
    conn.execute(text("UPDATE doc_files SET scanned = 1 WHERE sha256 = :sha"), {"sha": sha256})


def rescan(conn: Connection, visible: Visible) -> int:
    """Scan again the read contents of the granted sources (after new subjects came in:
    their names are looked for then). How many."""
    if not visible:
        return 0
    done = conn.execute(
        text("UPDATE doc_files SET scanned = 0 WHERE stage = 'done' "
             f"AND {HELD.format('doc_files')}")
        .bindparams(expanding("sources")), _sources(visible),
    )  # fmt: skip
    return int(done.rowcount)


def of_content(conn: Connection, visible: Visible, sha256: str) -> list[Mention]:
    """The mentions of a content a granted occurrence holds, in reading order."""
    return [m for _, m in of_contents(conn, visible, [sha256])]


def decisions_of(
    conn: Connection, visible: Visible, sha256: str
) -> dict[tuple[int, int, int], list[Decision]]:
    """The decisions on the mentions of a content a granted occurrence holds, by place
    (page, start, end)."""
    out: dict[tuple[int, int, int], list[Decision]] = {}
    for _, spot, decision in decided_in(conn, visible, [sha256]):
        out.setdefault(spot, []).append(decision)
    return out


def of_contents(
    conn: Connection, visible: Visible, shas: Sequence[str]
) -> Iterator[tuple[str, Mention]]:
    """(content, mention) of the mentions of the contents granted occurrences hold, in
    reading order."""
    m = doc_mentions.c
    rows = conn.execute(
        select(m.sha256, m.page, m.char_start, m.char_end, m.text, m.rule, m.field, m.key)
        .where(one_of(conn, m.sha256, shas), held(visible, m.sha256))
        .order_by(m.sha256, m.page, m.char_start)
    )  # fmt: skip
    for sha, *rest in rows:
        yield str(sha), Mention(*rest)


def decided_in(
    conn: Connection, visible: Visible, shas: Sequence[str]
) -> Iterator[tuple[str, tuple[int, int, int], Decision]]:
    """(content, place (page, start, end), decision) of the decisions on the mentions of
    the contents granted occurrences hold, made while the text there was what it is now."""
    z, m = mention_decisions.c, doc_mentions.c
    rows = conn.execute(
        select(z.sha256, z.page, z.char_start, z.char_end, z.canonical_id, z.decision,
               z.decided_by, z.decided_at)
        .join_from(mention_decisions, doc_mentions, and_(
            m.sha256 == z.sha256, m.page == z.page, m.char_start == z.char_start,
            m.char_end == z.char_end, m.text == z.text))
        .where(one_of(conn, z.sha256, shas), held(visible, z.sha256))
    )  # fmt: skip
    for sha, page, start, end, *rest in rows:
        yield str(sha), (page, start, end), Decision(*rest)


def decide(conn: Connection, sha256: str, mention: Mention, decided: Sequence[tuple[str, str]],
           replacing: Iterable[str], actor: str, now: datetime) -> None:  # fmt: skip
    """An analyst's decisions (subject, decision) on a mention, in place of the earlier
    ones on the subjects of ``replacing`` (those the analyst may see); the decisions on
    other subjects stay as they are."""
    keys = {"sha": sha256, "page": mention.page, "start": mention.start, "end": mention.end}
    conn.execute(
        text("DELETE FROM mention_decisions WHERE sha256 = :sha AND page = :page "
             "AND char_start = :start AND char_end = :end AND canonical_id IN :subjects")
        .bindparams(expanding("subjects")), {**keys, "subjects": sorted(replacing) or [""]},
    )  # fmt: skip
    if decided:
        conn.execute(
            text("INSERT INTO mention_decisions (sha256, page, char_start, char_end, "
                 "canonical_id, text, decision, decided_by, decided_at) VALUES (:sha, :page, "
                 ":start, :end, :subject, :text, :decision, :actor, :now)"),
            [{**keys, "subject": subject, "text": mention.text, "decision": decision,
              "actor": actor, "now": now} for subject, decision in decided],
        )  # fmt: skip


def known_names(conn: Connection, visible: Visible) -> Iterator[tuple[str, bool]]:
    """(name, is a person) of every name of the subjects of the granted sources, as the
    search index holds them."""
    if not visible:
        return
    # per statement: Connection.execution_options() would change the connection itself
    rows = conn.execute(
        text("SELECT d.names, d.schema FROM search_docs d WHERE d.source IN :sources")
        .bindparams(expanding("sources"))
        .execution_options(stream_results=True, yield_per=5000), _sources(visible),
    )  # fmt: skip
    for names, schema in rows:
        for name in str(names).splitlines():
            if name:
                yield name, schema == "Person"


def name_holders(
    conn: Connection, visible: Visible, keys: Iterable[str]
) -> list[tuple[str, list[str]]]:
    """(subject, names) of the subjects of the granted sources having names with all the
    words of one of ``keys`` (words as ``search.text.tokens`` makes them, joined by
    spaces): one query through the index's full text, whatever the number of keys."""
    wanted = sorted({key for key in keys if key.split()})
    if not visible or not wanted:
        return []
    each = [fulltext_expression(conn, [[(w, False)] for w in key.split()], True, False)
            for key in wanted]  # fmt: skip
    expression = " OR ".join(f"({e})" for e in each) if conn.dialect.name == "sqlite" \
        else " | ".join(f"({e})" for e in each)  # fmt: skip
    sql = (f"SELECT d.canonical_id, d.names FROM search_docs d WHERE "
           f"{fulltext_condition(conn, expression, 'q')} AND d.source IN :sources")  # fmt: skip
    return [(str(cid), str(names).splitlines()) for cid, names in conn.execute(
        text(sql).bindparams(expanding("sources")), {**_sources(visible), "q": expression})]


def mentioning(
    conn: Connection,
    visible: Visible,
    keys: Sequence[tuple[str, str]],
    subject: str,
    limit: int,
) -> list[tuple[str, Mention]]:
    """(content, mention) of the mentions, in contents granted occurrences hold, that
    name one of ``keys`` ((field, key)) with no decision rejecting ``subject``, or that a
    decision linked to ``subject``: those of at most ``limit`` contents."""
    if not visible:
        return []
    params: dict[str, Any] = {**_sources(visible), "subject": subject, "n": limit * 20}
    pairs = sorted(set(keys))
    ors = " OR ".join(f"(m.field = :f{i} AND m.key = :k{i})" for i in range(len(pairs)))
    for i, (field, key) in enumerate(pairs):
        params[f"f{i}"], params[f"k{i}"] = field, key

    def decided(decision: str) -> str:
        return (f"EXISTS (SELECT 1 FROM mention_decisions z WHERE {_PLACE} "
                f"AND z.canonical_id = :subject AND z.decision = '{decision}')")  # fmt: skip

    named = f"(({ors}) AND NOT {decided('rejected')})" if pairs else "1 = 0"
    rows = conn.execute(
        text("SELECT m.sha256, m.page, m.char_start, m.char_end, m.text, m.rule, m.field, m.key "
             f"FROM doc_mentions m WHERE ({named} OR {decided('linked')}) "
             f"AND {HELD.format('m')} ORDER BY m.sha256, m.page, m.char_start LIMIT :n")
        .bindparams(expanding("sources")), params,
    ).all()  # fmt: skip
    out: list[tuple[str, Mention]] = []
    contents: set[str] = set()
    for sha, *rest in rows:
        contents.add(str(sha))
        if len(contents) > limit:
            break
        out.append((str(sha), Mention(*rest)))
    return out


def subject_keys(conn: Connection, visible: Visible, subject: str) -> list[tuple[str, str]]:
    """("name", name) of each name, and (field, value) of each e-mail address, phone
    number and identifier, that the subject's index entries in the granted sources hold."""
    if not visible:
        return []
    params = {**_sources(visible), "cid": subject}
    out: set[tuple[str, str]] = set()
    for (names,) in conn.execute(
        text("SELECT d.names FROM search_docs d WHERE d.canonical_id = :cid "
             "AND d.source IN :sources").bindparams(expanding("sources")), params,
    ):  # fmt: skip
        out.update(("name", n) for n in str(names).splitlines() if n)
    out.update((str(f), str(v)) for f, v in conn.execute(
        text("SELECT v.field, v.value FROM search_values v JOIN search_docs d ON d.id = v.doc_id "
             "WHERE d.canonical_id = :cid AND d.source IN :sources "
             "AND v.field IN ('email', 'phone', 'id')").bindparams(expanding("sources")),
        params,
    ))  # fmt: skip
    return sorted(out)
