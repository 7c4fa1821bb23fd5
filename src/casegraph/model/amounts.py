"""How amounts and durations read: money with its currency, thousands separators and
rounded to the currency's minor unit; call time in hours, minutes and seconds. Money
and time are never added together: an edge's ``unit`` says which it is (an ISO 4217
currency code, or ``SECONDS``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

SECONDS = "s"
ZERO_DIGITS = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
               "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF")  # fmt: skip
# ISO 4217 currencies whose minor unit is not the cent (all others: 2 digits)
_MINOR_DIGITS = {
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(ZERO_DIGITS, 0),
}


def minor_digits(currency: str) -> int:
    """Digits after the decimal point of ``currency`` (2 when it is not known)."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


def rounded(value: float | Decimal, currency: str) -> Decimal:
    """``value`` rounded to the minor unit of ``currency`` (half to even)."""
    step = Decimal(1).scaleb(-minor_digits(currency))
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(
        step, rounding=ROUND_HALF_EVEN
    )


def money(value: float | Decimal, currency: str | None) -> str:
    """``43,410.04 EUR``; without a currency the number alone, to two digits."""
    code = (currency or "").upper()
    digits = minor_digits(code)
    return f"{rounded(value, code):,.{digits}f}" + (f" {code}" if code else "")


def duration(seconds: float) -> str:
    """``1 h 22 min 56 s``, ``4 min 36 s``, ``48 s``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours:,} h"] if hours else []
    if minutes or hours:
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


def measure(value: float | Decimal | None, unit: str | None) -> str:
    """An edge's amount as it reads: a duration, money, or empty when there is none."""
    if value is None or value != value:  # None or NaN
        return ""
    if unit == SECONDS:
        return duration(float(value))
    return money(value, unit)


def by_unit(
    sums: Mapping[str, float | Decimal],
) -> list[tuple[str | None, float | Decimal, str]]:
    """Totals per unit (``""``: not known) in the order they are shown, money by
    currency before call time: (unit or None, the sum, how it reads)."""
    ordered = sorted(sums, key=lambda u: (u == SECONDS, u))
    return [(u or None, sums[u], measure(sums[u], u or None)) for u in ordered]
