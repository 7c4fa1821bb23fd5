"""Statement ids and schema choice follow FollowTheMoney."""

from __future__ import annotations

from followthemoney.statement import Statement
from hypothesis import given
from hypothesis import strategies as st

from casegraph.model.statements import common_schema, more_specific, statement_id


@given(
    source=st.text(min_size=1, max_size=20),
    entity=st.text(min_size=1, max_size=40),
    prop=st.sampled_from(["id", "name", "birthDate", "phone"]),
    value=st.text(min_size=1, max_size=60),
)
def test_statement_id_is_ftms(source: str, entity: str, prop: str, value: str) -> None:
    assert statement_id(source, entity, prop, value) == Statement.make_key(
        source, entity, prop, value, external=False
    )


def test_schema_choice() -> None:
    assert more_specific("LegalEntity", "Person") == "Person"
    assert more_specific("Person", "LegalEntity") == "Person"
    assert common_schema({"Thing", "LegalEntity", "Company"}).name == "Company"
    # incompatible schemata: the most specific wins, deterministically
    assert common_schema({"Person", "Company"}).name in {"Person", "Company"}
    assert common_schema({"Person", "Company"}) == common_schema({"Company", "Person"})
