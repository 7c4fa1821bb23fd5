"""Protected attributes: never search filters or facets, whatever the interface."""

from __future__ import annotations

from collections.abc import Iterable

from casegraph.errors import InvalidInput
from casegraph.model.protected import DEFAULT_PROTECTED


class ProtectedAttribute(InvalidInput):
    """A filter or facet on a protected attribute was asked for."""


def check_fields(fields: Iterable[str], protected: Iterable[str] = DEFAULT_PROTECTED) -> None:
    """Refuse filtering or faceting by any protected attribute, naming it."""
    blocked = sorted(set(fields) & set(protected))
    if blocked:
        raise ProtectedAttribute(
            f"{', '.join(blocked)} {'is a' if len(blocked) == 1 else 'are'} protected "
            "attribute(s): casegraph never filters or groups people by them"
        )
