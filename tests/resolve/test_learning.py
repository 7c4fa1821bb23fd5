"""Learning from people: decisions move m towards the levels of the pairs people called
"same", and move the merge threshold once enough pairs are decided (unit), and a run
with ``retrain`` learns from the decisions stored in the workspace (both stores)."""

from __future__ import annotations

import csv
from pathlib import Path

from casegraph.access.context import AccessContext
from casegraph.resolve import engine
from casegraph.resolve import model as defaults
from casegraph.resolve.extract import PERSON
from casegraph.service import Session, Workspace
from casegraph.store import resolution as rstore
from tests.conftest import add_source, everything
from tests.resolve import people


def _m(model: dict, comparison: str) -> list[float]:
    found = next(c for c in model["comparisons"] if c["output_column_name"] == comparison)
    return [lv["m_probability"] for lv in found["comparison_levels"] if "m_probability" in lv]


def test_decisions_move_m_towards_the_levels_people_called_same() -> None:
    model = defaults.settings(PERSON)
    names = [c["output_column_name"] for c in model["comparisons"]]
    before = _m(model, "birth_date")
    top = len(before) - 1  # Splink numbers the most specific level highest
    gamma = [-1] * len(names)
    gamma[names.index("birth_date")] = top
    engine.learn_m(model, [(gamma, 1.0)] * 5)
    after = _m(model, "birth_date")
    assert after[0] > before[0]  # the exact date: every accepted pair had it
    assert all(a < b for a, b in zip(after[1:], before[1:], strict=True))
    assert abs(sum(after) - 1.0) < 1e-9
    # the prior counts as PRIOR_DECISIONS decisions: five do not overturn it
    n = defaults.PRIOR_DECISIONS
    assert after[0] == (n * before[0] + 5) / (n + 5)
    unchanged = _m(model, "phones")
    engine.learn_m(model, [(gamma, 1.0)] * 5)  # no data on phones: their m stays
    assert _m(model, "phones") == unchanged


def test_the_threshold_rises_quickly_and_falls_slowly() -> None:
    strong, middle, weak = 0.99, 0.9, 0.6  # the model's probabilities of decided pairs

    def decisions(probability: float, same: bool, n: int, pairs: int = 1) -> list:
        return [(probability, same, 1 / pairs)] * (n * pairs)

    band = (0.3, middle)  # the default merges at 0.9 and asks from 0.3
    # people rejected a quarter of the pairs the model merged at 0.9
    rejected = decisions(strong, True, 10) + decisions(middle, True, 9) \
        + decisions(middle, False, 3)  # fmt: skip
    assert engine.learnt_upper(rejected, band) == strong
    assert engine.learnt_upper(rejected[:6] + rejected[-3:], band) is None  # too few
    # twenty consistent "same" in the review band are not enough to lower it, nor are
    # twenty decisions of ten pairs each ...
    assert engine.learnt_upper(decisions(weak, True, 20), band) is None
    assert engine.learnt_upper(decisions(weak, True, 20, pairs=10), band) is None
    # ... three hundred are, and one "different" among them no longer matters
    many = decisions(weak, True, 300) + decisions(weak, False, 1)
    assert engine.learnt_upper(many, band) == weak
    # never below the review band
    assert engine.learnt_upper(many, (0.7, 0.9)) is None


def test_retrain_learns_from_the_decisions_in_the_workspace(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    truth = people.write(tmp_path)
    with workspace.session(ctx) as s:
        for name in ("registry", "bank"):
            add_source(s, name)
            s.ingest.mapping(tmp_path / f"{name}.yml")
        s.resolve.run()
        untrained = rstore.load_model(s.conn, PERSON)
        assert untrained is not None and defaults.DECISIONS_KEY not in untrained
        ids = _entity_ids(s, tmp_path)
        twins = [(ids[key], ids[("registry", f"r{person}")])
                 for key, person in sorted(truth.items()) if key[0] == "bank"][:12]  # fmt: skip
        for a, b in twins:  # a person said "same" about each (a reviewer's decisions)
            pair, left, right = rstore.pair_key(a, b)
            rstore.put_user_judgement(s.conn, everything(s), rstore.Judgement(
                pair, "user", left, right, "bank" if left == a else "registry",
                "registry" if left == a else "bank", PERSON, "positive", None, None, None,
                "tester", "the same customer, checked"))  # fmt: skip
        s.resolve.run(retrain=True)
        trained = rstore.load_model(s.conn, PERSON)
    assert trained is not None
    assert trained[defaults.DECISIONS_KEY]["same"] == len(twins)
    # the twins share their date of birth (the bank left a few out): its exact level's
    # m rises, the others' fall
    exact_before, *rest_before = _m(untrained, "birth_date")
    exact_after, *rest_after = _m(trained, "birth_date")
    assert exact_after > exact_before
    assert sum(rest_after) < sum(rest_before)


def _entity_ids(s: Session, folder: Path) -> dict[tuple[str, str], str]:
    """(source, row id) -> entity id, through the record keys."""
    lines: dict[tuple[str, int], str] = {}
    for source in ("registry", "bank"):
        with (folder / f"{source}.csv").open() as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                lines[(source, line)] = row["id"]
    out = {}
    for e, r in rstore.resolved_state(s.conn, everything(s)).items():
        if r.record_key:
            out[(r.source, lines[(r.source, int(r.record_key.rsplit(":", 1)[1]))])] = e
    return out
