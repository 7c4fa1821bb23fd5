"""Mentions through the audited session: a document's mentions linked to the subjects
the reader may see, analysts' decisions on them, and the documents that mention a
subject (its profile's list).

A mention links to the subjects whose index entries hold its value (an e-mail address,
a phone number, an IBAN) or a name of the same words, in the reader's sources only: a
name that links to no subject the reader may see is not shown at all (it would tell of
a subject in a source they are not cleared for). Decisions are consultations with the
``resolve`` permission and a purpose, recorded with the mention and what was decided."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from casegraph.access import roles
from casegraph.documents import snippets
from casegraph.errors import InvalidInput, NotFound
from casegraph.graph.subgraph import SEALED
from casegraph.model.clock import utcnow
from casegraph.model.mentions import Mention, parse_place
from casegraph.model.visible import Visible
from casegraph.search.text import tokens
from casegraph.store import cases as case_store
from casegraph.store import documents as doc_store
from casegraph.store import graph_store
from casegraph.store import mentions as store
from casegraph.store.mentions import Decision

if TYPE_CHECKING:
    from casegraph.service import Session

DECISIONS = {"accept": "accepted", "reject": "rejected", "link": "linked"}
RULES = {"email": "e-mail address", "phone": "phone number", "iban": "IBAN",
         "name": "name of a subject"}  # fmt: skip


class MentionService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def of_content(self, visible: Visible, sha256: str) -> list[dict[str, Any]]:
        """The mentions of a content, each with the subjects it links to: those its value
        or name links to, less those a decision rejected, and those a decision linked it
        to; all of them subjects the reader may see, and the decisions on them only.
        Under a consultation already recorded."""
        found = store.of_content(self.s.conn, visible, sha256)
        decided = store.decisions_of(self.s.conn, visible, sha256)
        links = self._links(visible, found)
        every = {c for ids in links.values() for c in ids}
        every |= {d.subject for rows in decided.values() for d in rows}
        shown = self._cards(visible, every)
        out = []
        for m in found:
            linked = [c for c in links.get((m.field, m.key), []) if c in shown]
            rows = {d.subject: d for d in decided.get(m.spot, []) if d.subject in shown}
            subjects = _subjects(linked, {c: d.decision for c, d in rows.items()})
            if m.rule == "name" and not linked and not subjects:
                continue  # names are mentions only of subjects the reader may see
            latest = max(rows.values(), key=lambda d: d.decided_at, default=None)
            out.append({
                "place": m.place, "page": m.page, "start": m.start, "end": m.end,
                "text": m.text, "rule": m.rule, "what": RULES[m.rule], "value": m.key,
                "decision": _decision(subjects, rows), "decided_by": latest and latest.decided_by,
                "subjects": [shown[c] for c in subjects],
            })  # fmt: skip
        return out

    def subjects_of(
        self, visible: Visible, shas: Sequence[str], subjects: Visible
    ) -> dict[str, set[str]]:
        """The subjects (of ``subjects``' sources, not sealed) each content (through
        ``visible``) mentions, by the rule of ``of_content``: links less rejections, and
        re-links. For the search page's facet and ``mentions:`` filter."""
        found = list(store.of_contents(self.s.conn, visible, shas))
        decided: dict[tuple[str, tuple[int, int, int]], dict[str, str]] = {}
        for sha, spot, d in store.decided_in(self.s.conn, visible, shas):
            decided.setdefault((sha, spot), {})[d.subject] = d.decision
        links = self._links(subjects, [m for _, m in found])
        out: dict[str, set[str]] = {}
        for sha, m in found:
            ids = _subjects(links.get((m.field, m.key), []), decided.get((sha, m.spot), {}))
            out.setdefault(sha, set()).update(ids)
        every = {c for ids in out.values() for c in ids}
        cards = graph_store.cards(self.s.conn, every, subjects, date.today().isoformat())
        shown = {c for c, (caption, _, sealed) in cards.items()
                 if caption is not None and not sealed}  # fmt: skip
        return {sha: ids & shown for sha, ids in out.items() if ids & shown}

    def captions(self, visible: Visible, ids: set[str]) -> dict[str, str]:
        """The display names of subjects the reader may see."""
        return {c: card["caption"] for c, card in self._cards(visible, ids).items()}

    def decide(
        self, doc_id: str, place: str, decision: str, subject: str | None = None
    ) -> dict[str, Any]:
        """Accept, reject or re-link (to ``subject``) the mention at ``place`` (as
        ``Mention.place`` writes it) of a document: a decision on each subject it links
        to that the caller may see, and on no other. It holds whenever the document is
        read again, while the text there is the same."""
        if decision not in DECISIONS:
            raise InvalidInput(f"no decision {decision!r}; decisions are: {', '.join(DECISIONS)}")
        if (decision == "link") != bool(subject):
            raise InvalidInput("a mention is re-linked to a subject (--subject), and only then")
        try:
            spot = parse_place(place)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        refs = {"document": doc_id, "mention": place, "decision": decision, "subject": subject}
        visible = self.s.with_cases(self.s.consult("mention.decide", refs,
                                                   permission=roles.RESOLVE))  # fmt: skip
        found = doc_store.occurrence(self.s.conn, visible, doc_id)
        if found is None:
            raise NotFound(f"no document {doc_id!r}")
        mention = next((m for m in store.of_content(self.s.conn, visible, found.sha256)
                        if m.spot == spot), None)  # fmt: skip
        linked = self._links(visible, [mention]).get((mention.field, mention.key), []) \
            if mention is not None else []  # fmt: skip
        if mention is None or (mention.rule == "name" and not linked):
            raise NotFound(f"document {doc_id} has no mention at {place}")
        if subject is not None and not case_store.subject_exists(self.s.conn, subject, visible):
            raise NotFound(f"no subject {subject!r}")
        earlier = store.decisions_of(self.s.conn, visible, found.sha256).get(spot, [])
        seen = set(self._cards(visible, {d.subject for d in earlier}))  # the caller's to redo
        if decision == "accept":
            rows = [(c, "accepted") for c in linked]
        elif decision == "reject":
            rows = [(c, "rejected") for c in sorted(set(linked) | seen)]
        else:
            assert subject is not None
            rows = [(subject, "linked")] + [(c, "rejected") for c in linked if c != subject]
        store.decide(self.s.conn, found.sha256, mention, rows, set(linked) | seen | {
            c for c, _ in rows}, self.s.ctx.actor, utcnow())  # fmt: skip
        self.s.commit()
        shown = next(m for m in self.of_content(visible, found.sha256) if m["place"] == place)
        return {"document": doc_id, **shown}

    def mentioning(self, subject_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The documents that mention a subject (by a name, e-mail address, phone number
        or identifier its records give, or re-linked to it), with the first such place in
        each, as a snippet. A consultation, recorded with the subject."""
        visible = self.s.with_cases(self.s.consult("subject.documents", {"subject": subject_id}))
        return self.mentioning_under(visible, subject_id, limit)

    def mentioning_under(
        self, visible: Visible, subject_id: str, limit: int
    ) -> list[dict[str, Any]]:
        keys = store.subject_keys(self.s.conn, visible, subject_id)
        wanted = [(f, k) for f, k in keys if f != "name"]
        wanted += [("name", " ".join(tokens(name))) for f, name in keys if f == "name"]
        found = store.mentioning(self.s.conn, visible, wanted, subject_id, limit)
        places = doc_store.occurrences_of(self.s.conn, visible, sorted({s for s, _ in found}))
        files = doc_store.contents(self.s.conn, visible, sorted(places))
        first: dict[str, list[Mention]] = {}
        for sha, mention in found:
            first.setdefault(sha, []).append(mention)
        out = []
        for sha, mentions in first.items():
            where = places.get(sha)
            if not where:
                continue
            best = mentions[0]
            text = doc_store.page_text(self.s.conn, visible, sha, best.page)
            snippet, marks = snippets.around(text, [(m.start, m.end) for m in mentions
                                                    if m.page == best.page])  # fmt: skip
            info = files.get(sha, {})
            out.append({
                "id": where[0].id, "name": where[0].name, "path": where[0].path,
                "source": where[0].source, "schema": info.get("schema"),
                "title": info.get("title"), "dated": info.get("dated"), "page": best.page,
                "paged": bool(info.get("paged")), "snippet": snippet, "highlights": marks,
                "mentions": len(mentions), "places": len(where),
            })  # fmt: skip
        return out

    def rescan(self) -> int:
        """Look for mentions again in every document of the caller's sources (after new
        subjects came in); the decisions stay. How many documents are queued; the next
        ``work`` finds them."""
        visible = self.s.with_cases(self.s.process("documents.rescan", roles.INGEST))
        queued = store.rescan(self.s.conn, visible)
        self.s.commit()
        return queued

    def _links(
        self, visible: Visible, found: Sequence[Mention]
    ) -> dict[tuple[str, str], list[str]]:
        """The subjects (of the reader's sources) each (field, key) links to."""
        out: dict[tuple[str, str], list[str]] = {}
        values = {(m.field, m.key) for m in found if m.field != "name"}
        for pair, holders in graph_store.value_holders(self.s.conn, values).items():
            ids = sorted({cid for cid, source in holders if visible.sees(source)})
            if ids:
                out[pair] = ids
        keys = {m.key for m in found if m.field == "name"}
        named: dict[str, set[str]] = {}
        for cid, names in store.name_holders(self.s.conn, visible, keys):
            for key in {" ".join(tokens(n)) for n in names} & keys:
                named.setdefault(key, set()).add(cid)
        out.update({("name", key): sorted(ids) for key, ids in named.items()})
        return out

    def _cards(self, visible: Visible, ids: set[str]) -> dict[str, dict[str, Any]]:
        known = graph_store.cards(self.s.conn, ids, visible, date.today().isoformat())
        return {cid: {"id": cid, "caption": SEALED if sealed else (caption or cid),
                      "schema": schema}
                for cid, (caption, schema, sealed) in known.items()
                if caption is not None}  # fmt: skip


def _subjects(linked: Sequence[str], decided: dict[str, str]) -> list[str]:
    """The subjects a mention names, by the one rule: those its value or name links to,
    less those a decision (subject -> decision) rejected, and those a decision linked
    it to."""
    kept = [c for c in linked if decided.get(c) != "rejected"]
    return kept + [c for c, d in decided.items() if d == "linked" and c not in linked]


def _decision(subjects: list[str], rows: dict[str, Decision]) -> str | None:
    """What was decided on a mention, as its reader sees it: linked (to a subject of the
    decider's choosing), rejected (it names none of the subjects it linked to), accepted."""
    kinds = {d.decision for d in rows.values()}
    if "linked" in kinds:
        return "linked"
    if "rejected" in kinds and not subjects:
        return "rejected"
    return "accepted" if "accepted" in kinds else None
