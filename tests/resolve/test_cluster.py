"""Clustering from judgements: no chaining, cannot-links split, people win."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from casegraph.resolve.cluster import MUST, Clustering, Pair

T = 5.0  # merge threshold (match weight)


def run(nodes: list[str], pairs: list[Pair], soft=(), hard=()) -> set[frozenset[str]]:
    c = Clustering(T)
    c.add_nodes(nodes)
    return {frozenset(m) for m in c.run(pairs, soft, hard).values()}


def test_a_chain_of_links_does_not_join_two_people_who_disagree() -> None:
    # two John Smiths (a, d) each with a strong duplicate, linked through a middle record
    pairs = [Pair("a", "b", 12), Pair("c", "d", 12), Pair("b", "c", 6),
             Pair("a", "c", -9), Pair("b", "d", -9), Pair("a", "d", -15)]  # fmt: skip
    assert run(list("abcd"), pairs) == {frozenset("ab"), frozenset("cd")}


def test_strong_links_do_merge_transitively_when_nothing_disagrees() -> None:
    pairs = [Pair("a", "b", 12), Pair("b", "c", 11), Pair("a", "c", 9)]
    assert run(list("abc"), pairs) == {frozenset("abc")}


def test_cannot_link_splits_an_otherwise_strong_cluster() -> None:
    pairs = [Pair("a", "b", 12), Pair("b", "c", 12), Pair("a", "c", 12)]
    clusters = run(list("abc"), pairs, soft=[("a", "c")])
    assert frozenset("ac") not in clusters
    assert all(not ({"a", "c"} <= c) for c in clusters)


def test_a_persons_same_overrides_the_model_and_record_evidence() -> None:
    pairs = [Pair("a", "b", -20), Pair("a", "b", MUST)]
    assert run(["a", "b"], pairs, soft=[("a", "b")]) == {frozenset("ab")}


def test_a_persons_different_beats_everything() -> None:
    pairs = [Pair("a", "b", 30), Pair("a", "b", MUST)]
    assert run(["a", "b"], pairs, hard=[("a", "b")]) == {frozenset("a"), frozenset("b")}


def test_weak_links_alone_never_merge() -> None:
    pairs = [Pair("a", "b", 4.9), Pair("b", "c", 4.9)]
    assert run(list("abc"), pairs) == {frozenset("a"), frozenset("b"), frozenset("c")}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(-30, 30)), max_size=60
    ),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=8),
)
def test_partition_and_constraints_hold_for_any_input(edges, cannot) -> None:
    nodes = [str(i) for i in range(12)]
    pairs = [Pair(str(a), str(b), w) for a, b, w in edges if a != b]
    hard = [(str(a), str(b)) for a, b in cannot if a != b]
    clusters = run(nodes, pairs, hard=hard)
    seen = [n for c in clusters for n in c]
    assert sorted(seen) == sorted(nodes)  # every record exactly once
    for a, b in hard:
        assert not any(a in c and b in c for c in clusters)
    for c in clusters:  # every merge was backed by a link above the threshold
        if len(c) > 1:
            assert any(p.weight >= T and p.left in c and p.right in c for p in pairs)
