"""A case's timeline states each fact once: the same birth date from five sources is one
entry with the five sources, while case events alike in every field stay apart."""

from __future__ import annotations

from casegraph.cases.timeline import Event, once


def test_a_fact_from_several_sources_is_one_entry() -> None:
    born = [Event("1971-09-14", "fact:birthDate", "Birth date: 1971-09-14", subject="kv",
                  sources=(s,)) for s in ("tips", "registry", "bank", "registry")]  # fmt: skip
    other = Event("1971", "fact:birthDate", "Birth date: 1971", subject="kv", sources=("court",))
    notes = [Event("2026-01-02", "case.note.created", "Note added")] * 2
    shown = once(e.to_dict() for e in [*born, other, *notes])
    births = [e for e in shown if e["kind"] == "fact:birthDate"]
    assert [(e["at"], e["sources"]) for e in births] == [
        ("1971-09-14", ["tips", "registry", "bank"]), ("1971", ["court"])]
    assert len([e for e in shown if e["kind"] == "case.note.created"]) == 2
