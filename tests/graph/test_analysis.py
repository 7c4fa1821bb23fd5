"""Graph measures on the edge cases a caller's view can produce."""

from __future__ import annotations

import networkx as nx

from casegraph.graph import analysis


def test_communities_of_subjects_without_edges_have_no_modularity() -> None:
    # a viewer cleared for fewer sources can see a neighbourhood with no edge in it
    lone = nx.MultiDiGraph()
    lone.add_nodes_from(["a", "b"])
    found = analysis.communities(lone)
    assert sorted(found) == [["a"], ["b"]]
    assert analysis.modularity(lone, found) == 0.0
    loop = nx.MultiDiGraph([("a", "a")])  # a subject's edge to itself is no structure
    assert analysis.modularity(loop, analysis.communities(loop)) == 0.0


def test_modularity_of_two_joined_pairs() -> None:
    g = nx.MultiDiGraph([("a", "b"), ("c", "d")])
    assert analysis.modularity(g, [["a", "b"], ["c", "d"]]) == 0.5
