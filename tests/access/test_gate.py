"""The one gate, proven on both stores: writes see only what the caller may see, sealed
names leave every derived place, background work is processing (not a consultation),
case probes are recorded, and only the session makes a ``Visible``."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from casegraph.access.context import AccessContext
from casegraph.access.policy import PurposeRequired
from casegraph.audit.ledger import AuditWriter
from casegraph.audit.report import is_consultation
from casegraph.errors import NotFound, WorkspaceError, no_case
from casegraph.model.audit import ACTIONS
from casegraph.service import Workspace
from casegraph.store import resolution
from casegraph.store.resolution import Judgement, pair_key
from tests.access.conftest import WHY, entries, pending, source_mapping, who
from tests.conftest import ROOT, granted

# --- 1. writes ignore clearances ---------------------------------------------------------


def test_a_split_sees_only_the_records_the_caller_may_see(
    workspace: Workspace, world: dict[str, str]
) -> None:
    with workspace.session(who("pub")) as s, pytest.raises(PurposeRequired):
        s.resolve.split("cg-peter", [world["p2"]], "not the same Peter")
    with workspace.session(who("pub", justification=WHY)) as s:
        with pytest.raises(WorkspaceError) as listed:
            s.resolve.split("cg-peter", ["nonexistent"], "not the same Peter")
        with pytest.raises(WorkspaceError) as hidden:
            s.resolve.split("cg-peter", [world["b1"]], "moving the bank record")
    for error in (listed.value, hidden.value):
        assert world["p1"] in str(error) and world["b1"] not in str(error).split("(its")[1]
    with workspace.engine.connect() as conn:  # the bank record did not move
        assert resolution.canonical_of_entity(conn, granted("bank"), world["b1"]) == "cg-peter"
    with workspace.session(who("pub", justification=WHY)) as s:
        done = s.resolve.split("cg-peter", [world["p2"]], "not the same Peter")
    assert done["moved"] == 1 and world["b1"] not in str(done)
    with workspace.engine.connect() as conn:
        assert resolution.canonical_of_entity(conn, granted("bank"), world["b1"]) == "cg-peter"
        judged = conn.execute(
            select(resolution.judgements.c.left_id, resolution.judgements.c.right_id).where(
                resolution.judgements.c.actor == "pub"
            )
        ).all()
    assert judged and all(world["b1"] not in pair for pair in judged)
    assert [e.refs["sources"] for e in entries(workspace, "subject.split")][-1] == ["registry"]


def test_a_merge_counts_only_the_records_the_caller_may_see(
    workspace: Workspace, world: dict[str, str]
) -> None:
    with workspace.session(who("pub", justification=WHY)) as s:
        done = s.resolve.merge("cg-peter", world["quentin"], "same person, new name")
    assert done["records"] == 3  # two registry records of Peter, one of Quentin; no bank
    with workspace.session(who("pub", justification=WHY)) as s, pytest.raises(NotFound):
        s.resolve.merge(world["b1"], world["quentin"], "a subject seen by no one")


def test_review_decisions_need_a_purpose(workspace: Workspace, world: dict[str, str]) -> None:
    pending(workspace, (world["p1"], "registry"), (world["olga"], "bank"))
    item = resolution.item_key("cg-peter", world["olga"])
    with workspace.session(who("pub")) as s, pytest.raises(PurposeRequired):
        s.review.decide(item, "negative", "different people")
    with workspace.session(who("pub", justification=WHY)) as s, pytest.raises(NotFound):
        s.review.decide(item, "negative", "different people")  # a bank record: unseen
    with workspace.session(who("all", justification=WHY)) as s:
        assert s.review.decide(item, "negative", "different people")["pairs"] == 3


# --- 2. sealed names -----------------------------------------------------------------------


def test_a_merged_sealed_subject_leaves_no_name_in_relations_exports_or_labels(
    workspace: Workspace, world: dict[str, str]
) -> None:
    with workspace.session(who("all", justification=WHY)) as s:
        family = next(
            r.canonical_id for r in s.subject_statements(action="statements.read")
            if r.schema == "Family"
        )  # fmt: skip
        profile = s.subjects.profile(family).to_dict()
        out = io.StringIO()
        s.export.ftm(out)
        graph = s.graph.expand(world["quentin"], hops=2).to_dict()
    assert "Kim Young" not in str(profile["facts"])
    assert "Kim Young" not in out.getvalue()
    # Quentin shares Kim's address: the edge shows no address at the sealed end
    shared = [e for e in graph["edges"] if e["kind"].startswith("same:")]
    assert shared and all(e["label"] is None for e in shared if "cg-kim" in (e["src"], e["dst"]))
    assert "Kinderweg" not in str([e for e in graph["edges"] if "cg-kim" in (e["src"], e["dst"])])
    with workspace.session(who("all", justification=WHY)) as s:
        hits = s.search.search("Young").to_dict()
    assert "Kim Young" not in str(hits)


def test_sealing_seals_the_possible_duplicates_and_they_leave_search(
    workspace: Workspace, world: dict[str, str], ctx: AccessContext
) -> None:
    with workspace.session(ctx) as s:  # the model thought Quentin may be Peter
        pair, left, right = pair_key(world["quentin"], world["p1"])
        resolution.insert_judgements(s.conn, granted("registry"), [Judgement(
            pair, "model", left, right, "registry", "registry", "person", "unsure", 0.5, 0.0,
            None, "model", None)])  # fmt: skip
        s.subjects.seal("cg-peter", "protected witness")
    with workspace.session(who("all", justification=WHY)) as s:
        hits = s.search.search("Quentin").to_dict()
    assert hits["total"] == 0 and not hits["results"]


def test_a_sealed_subject_in_the_review_queue_is_named_by_nothing(
    workspace: Workspace, world: dict[str, str]
) -> None:
    """The model unsure whether the sealed child and Quentin (who shares her address)
    are one: the queue and the item say "sealed record", and neither her name nor her
    facts."""
    with workspace.session(who("all", justification=WHY)) as s:
        kim = resolution.members(s.conn, granted("registry"), "cg-kim")[0].entity_id
    pending(workspace, (kim, "registry"), (world["quentin"], "registry"))
    item = resolution.item_key("cg-kim", world["quentin"])
    with workspace.session(who("all", justification=WHY)) as s:
        (listed,) = [i for i in s.review.queue()["items"] if i["id"] == item]
        shown = s.review.show(item)
    sides = {shown[k]["subject"]: shown[k] for k in ("left", "right")}
    assert sides["cg-kim"]["name"] == "sealed record" and sides["cg-kim"]["facts"] == []
    assert "sealed record" in (listed["left"]["name"], listed["right"]["name"])
    assert "Kim" not in str(shown) and "Kim" not in str(listed)
    assert not any("address" in r["text"] for r in shown["reasons"])


# --- 3. the case file under the graph held in memory -----------------------------------------


def test_a_case_file_reads_the_graph_held_in_memory(
    workspace: Workspace, world: dict[str, str]
) -> None:
    with workspace.session(who("all", justification=WHY)) as s:
        case_id = s.cases.open("Maier", "fraud", "a court order of the test",
                               "suspected fraud by Peter Maier")["id"]  # fmt: skip
    with workspace.session(who("all", case_id=case_id)) as s:
        s.cases.link_subject(case_id, "cg-peter", "suspect", "the subject of the test")
        s.cases.link_subject(case_id, world["quentin"], "witness", "shares an address")
    workspace.adjacency.wait = True
    with workspace.session(who("all", case_id=case_id)) as s:
        assert s.workspace.adjacency.current(s.conn) is not None
        html = s.cases.report(case_id, "html", "a test of the case file").decode()
    assert "Peter Maier" in html


# --- 4. background work is processing ----------------------------------------------------


def test_an_admins_ingest_and_retention_keep_the_index_current(
    workspace: Workspace, world: dict[str, str], tmp_path: Path
) -> None:
    yml, rows = source_mapping("registry", "z1,Zora Adminova,1990-01-01,Amtsweg 2\n")
    (tmp_path / "more.yml").write_text(yml)
    (tmp_path / "registry.csv").write_text(rows)
    with workspace.session(who("adm")) as s:
        s.ingest.mapping(tmp_path / "more.yml")
        assert s.index.pending() == 0
        s.retention.run()
    with workspace.session(who("pub", justification=WHY)) as s:
        assert s.search.search("Zora").total == 1
    reads = entries(workspace, "index.read")
    assert reads[-1].actor == "adm" and reads[-1].refs["processing"] is True


# --- 5 and 6. case reviews and probes ------------------------------------------------------


def test_case_probes_are_refused_alike_and_recorded(
    workspace: Workspace, world: dict[str, str]
) -> None:
    with workspace.session(who("all", justification=WHY)) as s:
        case_id = s.cases.open("Probe", "fraud", "a court order of the test",
                               "suspected fraud in the probe test", team="fiu")["id"]  # fmt: skip
    for target in (case_id, "C-1999-0042"):
        with pytest.raises(NotFound) as refused, workspace.session(who("pub")) as s:
            s.cases.show(target)
        assert str(refused.value) == str(no_case(target))  # the same for both
        with pytest.raises(NotFound), workspace.session(who("sup")) as s:
            s.cases.review(target, "close", "closing a case I am not in")  # not due
    denied = [e.refs.get("case") for e in entries(workspace, "access.denied")]
    assert denied.count(case_id) == 2 and denied.count("C-1999-0042") == 2
    with workspace.session(who("pub", justification=WHY)) as s:
        assert s.cases.mine() == []
    with workspace.session(who("all")) as s:
        assert s.cases.show(case_id)["status"] == "open"


# --- 10. oversight gaps --------------------------------------------------------------------


def test_subject_reports_clusters_and_case_pages_are_on_the_record(
    workspace: Workspace, world: dict[str, str], ctx: AccessContext, tmp_path: Path
) -> None:
    with workspace.session(who("all", justification=WHY)) as s:
        s.graph.paths("cg-peter", world["quentin"])
        case_id = s.cases.open("Report", "fraud", "a court order of the test",
                               "suspected fraud in the report test")["id"]  # fmt: skip
        s.cases.link_subject(case_id, "cg-peter", "suspect", "the subject of the test")
    with workspace.session(who("all")) as s:
        s.cases.show(case_id)
    assert [e.refs["subjects"] for e in entries(workspace, "case.subjects")][-1] == ["cg-peter"]
    with workspace.session(AccessContext("tester", justification=WHY, local=True)) as s:
        report = s.subjects.report("cg-peter")
    assert {"graph.path", "case.subjects"} <= {c["action"] for c in report["consultations"]}
    with workspace.session(who("all")) as s, pytest.raises(PurposeRequired):
        s.resolve.export_clusters(tmp_path / "c.csv")
    with workspace.session(ctx) as s:
        s.subjects.seal("cg-kim", "a child")
    with workspace.session(who("all", justification=WHY)) as s:
        s.resolve.export_clusters(tmp_path / "c.csv")
    assert "cg-kim" not in (tmp_path / "c.csv").read_text()
    assert is_consultation("rejects.read") and is_consultation("case.subjects")


def test_the_graph_read_into_memory_is_recorded(
    workspace: Workspace, world: dict[str, str]
) -> None:
    assert workspace.adjacency.read() is not None
    [entry] = entries(workspace, "graph.load")
    assert entry.refs["processing"] is True and entry.refs["edges"] > 0


# --- the gate as a type --------------------------------------------------------------------


def test_only_the_session_makes_a_visible_and_every_action_is_registered() -> None:
    src = ROOT / "src" / "casegraph"
    makers = []
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "Visible", "gate"
            ):  # fmt: skip
                makers.append(path.relative_to(src).as_posix())
    assert sorted(set(makers)) == ["service.py"]
    with pytest.raises(ValueError, match="registry"):  # refused before anything is written
        AuditWriter(None, AccessContext("x")).record("made.up")  # type: ignore[arg-type]
    assert all(kind for kind in ACTIONS.values())
