"""The graph tests run on the search tests' small investigation; those that mark
themselves with ``walks`` run twice: walking the store, and walking the structure a
process holds in memory (read there and then whenever the edges changed)."""

import pytest

from casegraph.service import Workspace
from tests.search.conftest import loaded  # noqa: F401


@pytest.fixture(params=["store", "memory"])
def walks(request: pytest.FixtureRequest, workspace: Workspace) -> str:
    workspace.adjacency.wait = request.param == "memory"
    return str(request.param)
