"""Amounts read with their currency, thousands separators and the currency's minor
unit; durations in hours, minutes and seconds."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from casegraph.model.amounts import SECONDS, duration, measure, minor_digits, money, rounded


def test_money_reads_with_currency_and_separators() -> None:
    assert money(43410.04000000001, "EUR") == "43,410.04 EUR"
    assert money(1234567.5, "jpy") == "1,234,568 JPY"
    assert money(12.3456, "KWD") == "12.346 KWD"
    assert money(-5, "usd") == "-5.00 USD"
    assert money(7.5, None) == "7.50"


def test_durations_never_read_as_money() -> None:
    assert duration(4976) == "1 h 22 min 56 s"
    assert duration(276) == "4 min 36 s"
    assert duration(48) == "48 s"
    assert duration(0) == "0 s"
    assert duration(7200) == "2 h 0 min"
    assert measure(300, SECONDS) == "5 min"
    assert measure(300, "EUR") == "300.00 EUR"
    assert measure(None, "EUR") == "" and measure(float("nan"), "EUR") == ""


@given(st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=2), max_size=30))
def test_a_total_of_cents_reads_as_the_exact_sum(values: list[Decimal]) -> None:
    total = sum((float(v) for v in values), 0.0)  # as a store sums them: in floating point
    assert rounded(total, "EUR") == sum(values, Decimal(0))
    assert minor_digits("EUR") == 2
