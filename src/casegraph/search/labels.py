"""What each facet counts, said once for the search page, the API and the CLI."""

from __future__ import annotations

from followthemoney import model as ftm
from followthemoney.types import registry

FACET_LABELS = {
    "schema": "Kind of subject",
    "source": "Source",
    "country": "Country",
    "year": "Year of any date (birth, incorporation, ...)",
    "case": "Your cases",
}


def facet_label(name: str) -> str:
    return FACET_LABELS.get(name, name)


def value_label(facet: str, value: str) -> str:
    """A facet value as people read it: a schema's label, a country's name."""
    if facet == "schema":
        schema = ftm.get(value)
        return schema.label if schema is not None else value
    if facet == "country":
        return registry.country.caption(value) or value.upper()
    return value
