"""The one display-name rule: full names before abbreviated ones, then the name stated
by the most sources, then alphabetical; a person's "Surname, Given" is the same name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casegraph.model.names import (
    abbreviated,
    display_name,
    names_stated,
    reading_order,
    record_name,
)


def test_the_demo_subject_reads_one_way_whatever_the_sources_write() -> None:
    stated = [
        ("bank", "Valdrenko, Konstantin"),
        ("tips", "K. Valdrenko"),
        ("tips", "Konstantin Valdrenko"),
        ("court", "Valdrenko, Konstantin"),
    ]
    assert display_name(stated, person=True) == "Konstantin Valdrenko"


def test_most_sourced_full_name_wins_then_alphabetical() -> None:
    assert display_name([("a", "Peter Maier"), ("b", "Peter Maier"), ("c", "Pete Maier")],
                        person=True) == "Peter Maier"  # fmt: skip
    assert display_name([("a", "Zora Maier"), ("b", "Anna Maier")], person=True) == "Anna Maier"
    # one source stating a name twice is one vote
    assert display_name([("a", "Bo Li"), ("a", "Bo Li"), ("b", "Al Li"), ("c", "Al Li")],
                        person=True) == "Al Li"  # fmt: skip


def test_an_abbreviated_name_only_when_nothing_fuller_is_known() -> None:
    assert display_name([("a", "K. Valdrenko"), ("b", "K. Valdrenko"), ("c", "Kai Valdrenko")],
                        person=True) == "Kai Valdrenko"  # fmt: skip
    assert display_name([("a", "K. Valdrenko")], person=True) == "K. Valdrenko"
    assert abbreviated("J.R.R. Tolkien") and abbreviated("K Valdrenko")
    assert not abbreviated("Konstantin Valdrenko") and not abbreviated("X")


def test_surname_first_is_turned_for_people_only() -> None:
    assert reading_order("  Valdrenko ,  Konstantin ", person=True) == "Konstantin Valdrenko"
    assert reading_order("Maier, Schmidt & Co", person=False) == "Maier, Schmidt & Co"
    assert reading_order("Maier, Peter, Dr.", person=True) == "Maier, Peter, Dr."


def test_name_parts_when_no_name_is_stated() -> None:
    rows = [("s", "r1", "lastName", "Maier"), ("s", "r1", "firstName", "Peter")]
    assert names_stated(rows) == [("s", "Peter Maier")]
    assert record_name({"firstName": ["Peter"], "lastName": ["Maier"]}, True) == "Peter Maier"
    assert record_name({"name": ["ACME GmbH"], "alias": ["ACME"]}, False) == "ACME GmbH"
    assert record_name({}, True) is None


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄÖÜ ,.-", min_size=1, max_size=20)


@given(st.lists(st.tuples(st.sampled_from("abcde"), names), min_size=1, max_size=12))
def test_the_choice_is_one_of_the_stated_names_and_ignores_their_order(
    stated: list[tuple[str, str]],
) -> None:
    chosen = display_name(stated, person=True)
    options = {reading_order(n, True) for _, n in stated} - {""}
    if not options:
        assert chosen is None
        return
    assert chosen in options
    assert display_name(list(reversed(stated)), person=True) == chosen


def test_a_name_in_capitals_gives_way_to_the_same_name_in_ordinary_case() -> None:
    stated = [("phone", "GERDA WOELLENSTEIN"), ("court", "Wöllenstein, Gerda")]
    assert display_name(stated, person=True) == "Gerda Wöllenstein"
    # capitals are still a name: when nothing else is stated, they are shown
    assert display_name([("bank", "NORDLICHT BAUSERVICE GMBH")], person=False) \
        == "NORDLICHT BAUSERVICE GMBH"  # fmt: skip
