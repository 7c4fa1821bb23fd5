"""The graph tests run on the search tests' small investigation."""

from tests.search.conftest import loaded  # noqa: F401
