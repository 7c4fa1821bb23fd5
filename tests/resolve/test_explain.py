"""Why two subjects may be one, in words: every level of the default models has its
phrase, and the facts of two whole subjects read as people would say them."""

from __future__ import annotations

import pytest

from casegraph.resolve import explain, judge
from casegraph.resolve import model as defaults
from casegraph.resolve.extract import GROUPS
from casegraph.resolve.queue import priority, ranked, uncertainty
from casegraph.store.resolution import ReviewItem


@pytest.mark.parametrize("group", GROUPS)
def test_every_level_of_the_default_models_has_words(group: str) -> None:
    """A level added to a model needs its phrase in ``explain.WORDS`` (and a comparison
    its name in ``explain.COMPARISONS``): this test names what is missing."""
    missing = []
    for comparison in defaults.settings(group)["comparisons"]:
        name = comparison["output_column_name"]
        if name not in explain.COMPARISONS:
            missing.append(f"{name}: the comparison's name")
        keys = explain.level_keys(comparison)
        assert len(set(keys)) == len(keys), keys  # each level told apart
        missing += [f"{name}: {key!r}" for key in keys if (name, key) not in explain.WORDS]
    assert not missing, "levels without words in resolve/explain.py:\n" + "\n".join(missing)


def test_a_waterfall_reads_in_words_and_keeps_the_models_terms() -> None:
    model = defaults.settings("person")
    for comparison in model["comparisons"]:  # weights as a trained model would have them
        for level in comparison["comparison_levels"]:
            level.setdefault("m_probability", 0.5)
            level.setdefault("u_probability", 0.5)
    labels = judge.with_keys(defaults.comparison_labels(model), model)
    names = [c["name"] for c in labels]
    # the same date of birth; an address level ("Array intersection size >= 1" twice)
    birth = labels[names.index("birth_date")]["levels"][1]
    postcode = labels[names.index("addresses")]["levels"][4]
    detail = [[0.0, 0.0] for _ in labels]
    detail[names.index("birth_date")] = [birth["weight"], 0.0]
    detail[names.index("addresses")] = [postcode["weight"], 0.0]
    steps = {s["comparison"]: s for s in judge.explain(detail, labels, -10.0)["steps"]}
    assert steps["birth_date"]["words"] == "the same date of birth"
    assert steps["birth_date"]["label"] == "Date of birth"
    assert steps["birth_date"]["level"] == "Exact match on birth_date"
    assert steps["addresses"]["words"] == "the same postcode"
    assert steps["addresses"]["level"] == "Array intersection size >= 1"
    assert steps["phones"]["words"] == "no phone number on one side"


def _side(subject: str, *records: dict, connections: tuple = ()) -> explain.Side:
    found = [dict(r, properties={k: list(v) for k, v in r["properties"].items()}) for r in records]
    facts = [f for r in found for f in explain.record_facts(r, True)]
    return explain.Side(subject, found, facts, list(connections))


def _person(entity: str, source: str, **props: str) -> dict:
    return {"id": entity, "source": source, "schema": "Person",
            "properties": {k: [v] for k, v in props.items()}}  # fmt: skip


def test_the_reasons_say_what_both_subjects_state() -> None:
    left = _side(
        "a",
        _person("r1", "registry", name="Konstantin Valdrenko", birthDate="1971-09-14",
                phone="+49 151 48273390"),
        _person("b1", "bank", name="Valdrenko, Konstantin", birthDate="1971-09-14"),
        connections=(("x", "Rosenhag Immobilien", "Directorship"),
                     ("y", "Kestrelmoor Trading", "Directorship"),
                     ("z", "Quendmark Bau", "Payment")),
    )  # fmt: skip
    right = _side(
        "b",
        _person("c1", "court", name="Konstantin Valdrenco", birthDate="1971-09-14",
                phone="0151-48273390", country="de"),
        connections=(("x", "Rosenhag Immobilien", "Directorship"),
                     ("y", "Kestrelmoor Trading", "Ownership")),
    )  # fmt: skip
    captions = ("Konstantin Valdrenko", "Konstantin Valdrenco")
    said = [r.text for r in explain.reasons(left, right, captions, True)]
    assert said[0] == "the same date of birth (1971-09-14) in three sources"
    assert "names differ by one letter" in said
    assert "the same phone number (+49 151 48273390) in two sources" in said
    assert "share two connections (Kestrelmoor Trading, Rosenhag Immobilien)" in said


def test_the_reasons_say_what_speaks_against() -> None:
    left = _side("a", _person("r1", "registry", name="Marta Valdrenko", birthDate="1974-03-02",
                              passportNumber="L7MN30RZ4"))  # fmt: skip
    right = _side("b", _person("r2", "bank", name="Konstantin Valdrenko",
                               birthDate="1971-09-14", passportNumber="L4K7TX9R2"))  # fmt: skip
    found = explain.reasons(left, right, ("Marta Valdrenko", "Konstantin Valdrenko"), True)
    against = [r.text for r in found if r.against]
    assert against == ["different dates of birth (1974-03-02 and 1971-09-14)",
                       "different passport numbers (L7MN30RZ4 and L4K7TX9R2)"]  # fmt: skip
    partial = _side("c", _person("r3", "court", name="Marta Valdrenko", birthDate="1974"))
    agree = explain.reasons(left, partial, ("Marta Valdrenko", "Marta Valdrenko"), True)
    assert [r.text for r in agree] == [
        "dates of birth that agree as far as both go (1974-03-02 and 1974)",
        "the same name in two sources",
    ]


def _item(item_id: str, left: int, right: int, probability: float, pairs: int = 1) -> ReviewItem:
    return ReviewItem(item_id, "person", "a" + item_id, "b" + item_id, pairs, probability,
                      left, right)  # fmt: skip


def test_the_queue_puts_first_what_one_decision_changes_most() -> None:
    assert uncertainty(0.5) == 1.0 and uncertainty(0.9) == pytest.approx(0.2)
    big_sure = _item("1", 7, 3, 0.8)  # three records move, the model fairly sure
    small_toss = _item("2", 1, 1, 0.5)  # one record, a coin toss
    big_toss = _item("3", 4, 2, 0.55, pairs=3)
    assert priority(big_toss) == pytest.approx(2 * 0.9)
    assert [i.id for i in ranked([small_toss, big_sure, big_toss])] == ["3", "1", "2"]
    tie = [_item("5", 1, 1, 0.5), _item("4", 1, 1, 0.5, pairs=2), _item("6", 1, 1, 0.5)]
    assert [i.id for i in ranked(tie)] == ["4", "5", "6"]  # more pairs settled first
