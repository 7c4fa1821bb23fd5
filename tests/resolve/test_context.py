"""Context from co-occurrence, on both stores: records that share rare connections (the
co-inventors of a patent) are one party where their names alone leave them apart, and
two namesakes in one source whose connections never meet stay two."""

from __future__ import annotations

from pathlib import Path

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.store import resolution as rstore
from tests.conftest import add_source, everything
from tests.resolve import people

PATENTS = """patents:
  queries:
    - csv_url: patents.csv
      entities:
        inventor:
          schema: Person
          key: [patent, inventor]
          properties:
            name: {column: inventor}
        first:
          schema: Person
          key: [patent, first]
          properties:
            name: {column: first}
        second:
          schema: Person
          key: [patent, second]
          properties:
            name: {column: second}
        with_first:
          schema: UnknownLink
          key: [patent, first]
          key_literal: with
          properties:
            subject: {entity: inventor}
            object: {entity: first}
        with_second:
          schema: UnknownLink
          key: [patent, second]
          key_literal: with
          properties:
            subject: {entity: inventor}
            object: {entity: second}
"""

# (patent, inventor, co-inventor, co-inventor)
ROWS = [
    ("EP1", "Jonas Albrecht", "Ilse Vantreck", "Gero Maltby"),
    ("EP2", "J. Albrecht", "Ilse Vantreck", "Gero Maltby"),  # the same man, by his team
    ("EP3", "Tobias Wendlandt", "Orla Penhallow", "Emrys Quarrie"),
    ("EP4", "Tobias Wendlandt", "Orla Penhallow", "Emrys Quarrie"),
    ("EP5", "Petra Kowalczyk", "Anselm Drury", "Ysolde Brann"),  # two women of one name
    ("EP6", "Petra Kowalczyk", "Hubert Quist", "Lorna Feeb"),
    ("EP7", "Karl Brandtner", "Wendel Osric", "Meret Talby"),  # names alone: apart
    ("EP8", "K. Brandtner", "Sigrun Abbet", "Tamsin Vell"),
]


def _subjects(workspace: Workspace, ctx: AccessContext) -> dict[tuple[str, str], str]:
    """(patent, inventor) -> the subject the inventor's record is in."""
    with workspace.session(ctx) as s:
        visible = everything(s)
        state = rstore.resolved_state(s.conn, visible)
        names = {row.entity_id: row.value for row in s.statements(visible)
                 if row.source == "patents" and row.prop == "name"}  # fmt: skip
    out = {}
    for entity, r in state.items():
        if r.source == "patents" and r.record_key:
            patent, inventor = ROWS[int(r.record_key.rsplit(":", 1)[1]) - 2][:2]
            if names.get(entity) == inventor:
                out[(patent, inventor)] = r.canonical_id
    return out


def test_shared_rare_connections_decide_who_is_who(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    people.write(tmp_path)  # a population to train on
    (tmp_path / "patents.yml").write_text(PATENTS)
    lines = ["patent,inventor,first,second", *(",".join(r) for r in ROWS)]
    (tmp_path / "patents.csv").write_text("\n".join(lines) + "\n")
    with workspace.session(ctx) as s:
        for name in ("registry", "bank", "patents"):
            add_source(s, name)
            s.ingest.mapping(tmp_path / f"{name}.yml")
        s.resolve.run()
    subject = _subjects(workspace, ctx)
    assert subject[("EP1", "Jonas Albrecht")] == subject[("EP2", "J. Albrecht")]
    assert subject[("EP3", "Tobias Wendlandt")] == subject[("EP4", "Tobias Wendlandt")]
    assert subject[("EP5", "Petra Kowalczyk")] != subject[("EP6", "Petra Kowalczyk")]
    assert subject[("EP7", "Karl Brandtner")] != subject[("EP8", "K. Brandtner")]
