"""The default models read the same on every engine: conditions written in DuckDB's SQL
reach Spark translated, not as string constants."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from casegraph.resolve import model as defaults
from casegraph.resolve.extract import ORGANISATION, PERSON


def _conditions(group: str, dialect: str) -> list[str]:
    return [level["sql_condition"]
            for comparison in defaults.settings(group, dialect)["comparisons"]
            for level in comparison["comparison_levels"]
            if level["sql_condition"] != "ELSE"]  # fmt: skip


@pytest.mark.parametrize("group", [PERSON, ORGANISATION])
def test_spark_conditions_name_columns_not_strings(group: str) -> None:
    """In Spark's SQL a double-quoted word is a string: ``"house0_l" <> "house0_r"`` would
    compare two constants and hold for every pair. No level of the default models
    compares a string constant, and every level reads columns."""
    for sql in _conditions(group, "spark"):
        tree = sqlglot.parse_one(sql, read="spark")
        constants = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
        assert not constants, (sql, constants)
        assert any(True for _ in tree.find_all(exp.Column)), sql


@pytest.mark.parametrize("group", [PERSON, ORGANISATION])
def test_both_engines_have_the_same_levels(group: str) -> None:
    duck, spark = _conditions(group, "duckdb"), _conditions(group, "spark")
    assert len(duck) == len(spark)
    for a, b in zip(duck, spark, strict=True):
        read_a = {c.name for c in sqlglot.parse_one(a, read="duckdb").find_all(exp.Column)}
        read_b = {c.name for c in sqlglot.parse_one(b, read="spark").find_all(exp.Column)}
        assert read_a == read_b, (a, b)
