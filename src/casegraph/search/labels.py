"""What each facet counts, said once for the search page, the API and the CLI."""

from __future__ import annotations

from followthemoney import model as ftm
from followthemoney.types import registry

from casegraph.model.sources import where_kept

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


DOCUMENT_FACET_LABELS = {
    "schema": "Kind of document",
    "source": "Source",
    "language": "Language",
    "year": "Year",
    "mentions": "Mentions",
}


def document_value_label(facet: str, value: str, names: dict[str, str]) -> str:
    """A document facet's value as people read it: a schema's label, a language's name,
    the display name of a subject it mentions (``names``), where a case's evidence is."""
    if facet == "language":
        return language_name(value)
    if facet == "mentions":
        return names.get(value, value)
    if facet == "source":
        return where_kept(value)
    return value_label(facet, value)


def language_name(code: str) -> str:
    """An ISO 639 code as people read it: ``deu`` is German."""
    return str(registry.language.caption(code) or code)
