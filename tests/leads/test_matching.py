"""The screening comparison: how real records differ from list entries, and what must
not match."""

from __future__ import annotations

import pytest

from casegraph.leads.matching import compare
from casegraph.leads.parties import Builder, Party
from casegraph.leads.screening import ListIndex


def party(pid: str, *values: tuple[str, str, str], schema: str = "Person") -> Party:
    builder = Builder(pid)
    for prop, kind, value in values:
        builder.add(pid, "test", schema, prop, kind, value)
    built = builder.build({})
    assert built is not None
    return built


ENTRY = party(
    "entry",
    ("name", "name", "BWAMBALE, Frank Kakolele"),
    ("alias", "name", "Frank Kakolele"),
    ("birthDate", "date", "1971-05-12"),
    ("nationality", "country", "cd"),
)


@pytest.mark.parametrize(
    ("how", "values"),
    [
        ("reordered", [("name", "name", "Bwambale Kakolele Frank")]),
        ("middle name missing", [("name", "name", "Frank Bwambale"),
                                 ("birthDate", "date", "1971-05-12")]),
        ("spelling", [("name", "name", "Frank Kakolele Bwambele")]),
        ("wrong birth year", [("name", "name", "Frank Kakolele Bwambale"),
                              ("birthDate", "date", "1972-05-12")]),
        ("alias", [("firstName", "name", "Frank"), ("lastName", "name", "Kakolele")]),
    ],
)  # fmt: skip
def test_records_that_differ_the_way_real_ones_do_still_match(
    how: str, values: list[tuple[str, str, str]]
) -> None:
    match = compare(party("s", *values), ENTRY)
    assert match.score >= 0.7, (how, match)


def test_different_people_do_not_match() -> None:
    for values in (
        [("name", "name", "Franz Meyer")],
        [("name", "name", "Bwambale")],  # a surname alone identifies no one
        [("name", "name", "Frank Kakolele Bwambale"), ("birthDate", "date", "1990-01-01")],
    ):
        assert compare(party("s", *values), ENTRY).score < 0.7, values


def test_scores_rank_by_evidence_and_explain_each_feature() -> None:
    bare = compare(party("s", ("name", "name", "Frank Kakolele Bwambale")), ENTRY)
    born = compare(party("s", ("name", "name", "Frank Kakolele Bwambale"),
                         ("birthDate", "date", "1971-05-12")), ENTRY)  # fmt: skip
    both = compare(party("s", ("name", "name", "Frank Kakolele Bwambale"),
                         ("birthDate", "date", "1971-05-12"),
                         ("nationality", "country", "cd")), ENTRY)  # fmt: skip
    assert bare.score < born.score < both.score < 1.0  # no pile at 1.0
    words = {e.feature: e.words for e in both.evidence}
    assert words["birth date"] == "same birth date: 1971-05-12"
    assert "DR Congo" in words["country"] or "Congo" in words["country"]
    assert born.strength > bare.strength


def test_a_shared_identifier_is_strong_and_found_without_a_name_key() -> None:
    listed = party("org", ("name", "name", "Silvercairn Advisory FZE"),
                   ("registrationNumber", "identifier", "RAKEZ 5012345"),
                   schema="Company")  # fmt: skip
    record = party("rec", ("name", "name", "SCA Free Zone Est."),
                   ("registrationNumber", "identifier", "RAKEZ-5012345"),
                   schema="Company")  # fmt: skip
    found, compared = ListIndex([listed]).screen(record, 0.7)
    assert compared == 1 and [f.entry.id for f in found] == ["org"]
    assert any(e.feature == "identifier" for e in found[0].match.evidence)


def test_people_are_not_compared_with_organisations() -> None:
    org = party("org", ("name", "name", "Frank Bwambale"), schema="Company")
    found, _ = ListIndex([org]).screen(party("s", ("name", "name", "Frank Bwambale")), 0.1)
    assert found == []


def test_a_party_reads_no_attribute_but_names_dates_countries_ids_and_addresses() -> None:
    p = party("s", ("name", "name", "Frank Bwambale"), ("religion", "string", "x"),
              ("ethnicity", "string", "y"), ("political", "string", "z"))  # fmt: skip
    assert "x" not in p.digest() and p.names == ["Frank Bwambale"]
    same = party("s", ("name", "name", "Frank Bwambale"))
    assert p.digest() == same.digest()


def test_common_words_alone_are_not_a_lead_but_rare_ones_are() -> None:
    """Words weigh by how many list entries hold them: an exact "Mohammed Ali" with
    nothing else to compare stays under the threshold when the list is full of them."""
    common = [party(f"c{n}", ("name", "name", f"Mohammed Ali {n}th")) for n in range(900)]
    listed = party("listed", ("name", "name", "ALI, Mohammed"))
    rare = party("rare", ("name", "name", "BWAMBALE, Frank Kakolele"))
    index = ListIndex([*common, listed, rare])
    found, _ = index.screen(party("s", ("name", "name", "Mohammed Ali")), 0.7)
    assert "listed" not in {f.entry.id for f in found}
    match = compare(party("s", ("name", "name", "Mohammed Ali")), listed, rarity=index.rarity)
    assert any(e.feature == "name only" for e in match.evidence)
    assert "common words" in match.evidence[0].words
    found, _ = index.screen(party("s", ("name", "name", "Frank Kakolele Bwambale")), 0.7)
    assert [f.entry.id for f in found] == ["rare"]
    # the same common name with the same birth date is worth a look
    born = party("born", ("name", "name", "ALI, Mohammed"), ("birthDate", "date", "1971-05-12"))
    index = ListIndex([*common, born])
    found, _ = index.screen(party("s", ("name", "name", "Mohammed Ali"),
                                  ("birthDate", "date", "1971-05-12")), 0.7)  # fmt: skip
    assert [f.entry.id for f in found] == ["born"]


def test_romanisations_of_one_sound_agree() -> None:
    listed = party("e", ("name", "name", "HUSAYN, Wahid"), ("birthDate", "date", "1966-04-01"))
    index = ListIndex([listed])
    found, _ = index.screen(party("s", ("name", "name", "Wahyd Housayn"),
                                  ("birthDate", "date", "1967-04-01")), 0.7)  # fmt: skip
    assert [f.entry.id for f in found] == ["e"]
    words = [e.words for e in found[0].match.evidence]
    assert words[1] == "same day and month, years one apart: 1967-04-01 and 1966-04-01"
