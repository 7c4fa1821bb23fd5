"""The default Splink models: one for people, one for organisations, used for every
dataset. A mapping decides only which columns become which FtM properties.

Each comparison starts from prior m/u probabilities, so an untrained model already
scores sensibly; training estimates u by random sampling and m by expectation
maximisation on the workspace's own data, and the result is saved with the workspace.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from casegraph.resolve.extract import ORGANISATION, PERSON

log = logging.getLogger(__name__)

# a trained model's record of the decisions it learnt from
DECISIONS_KEY = "casegraph_decisions"
# how many decisions the prior m of a level is worth when people's decisions move it.
# Decisions come from the review queue, where fields disagree far more often than among
# all true matches, and only the "same" ones move m: worth twenty, two accepted items
# whose pairs fell at "different house numbers" doubled that level's m on the Chicago
# sites, and thirty decisions cost precision (0.970 to 0.958)
PRIOR_DECISIONS = 100
# thresholds move with people's decisions once this many are decided, so that above
# the upper one at least this share of decided pairs were called "same"
MIN_DECISIONS = 10
DECIDED_PRECISION = 0.97
PRIOR = 1e-5  # probability that two random records are the same, before training
# the share of true matches the deterministic rules find; in messy investigative data
# exact identifiers and exact name-plus-date agreements catch well under half of them
DETERMINISTIC_RECALL = 0.4
# records sharing a name above which the name alone no longer blocks: forty John Smiths
# are usually forty people, while a company's name repeats in every row that names it
COMMON_NAME_BLOCK = {PERSON: 200, ORGANISATION: 2000}


def _condition(sql: str, label_for_charts: str | None = None) -> cll.CustomLevel:
    """A level on a condition of our own, written in DuckDB's SQL (identifiers in double
    quotes) and translated for the engine that runs it: Spark reads double quotes as a
    string, so untranslated, ``"house0_l" <> "house0_r"`` compares two constant words
    there and is true for every pair."""
    return cll.CustomLevel(sql, label_for_charts=label_for_charts, base_dialect_str="duckdb")


def _comparison(
    name: str,
    label: str,
    levels: list[Any],
    m: list[float],
    u: list[float],
    null: str | None = None,
) -> ComparisonCreator:
    """A comparison: "no data" when ``null`` (default: ``name``) is empty on either side,
    then ``levels`` from the most to the least specific, then everything else; with the
    prior m and u of each of those levels."""
    return cl.CustomComparison(
        output_column_name=name,
        comparison_description=label,
        comparison_levels=[cll.NullLevel(null or name), *levels, cll.ElseLevel()],
    ).configure(m_probabilities=m, u_probabilities=u)


def _any_shared(column: str, label: str, strong: float, u: float = 0.0005) -> ComparisonCreator:
    """Any shared value of a multi-valued field (phones, emails, domains, countries)."""
    return _comparison(column, label, [cll.ArrayIntersectLevel(column, 1)],
                       [strong, round(1 - strong, 10)], [u, round(1 - u, 10)])  # fmt: skip


def _phone() -> ComparisonCreator:
    """The same number that no other known holder shares; the same shared line (a
    household's landline, an agency's switchboard): weaker."""
    return _comparison("phones", "phone", [cll.ArrayIntersectLevel("phones_own", 1),
                                           cll.ArrayIntersectLevel("phones", 1)],
                       [0.6, 0.1, 0.3], [0.0003, 0.002, 0.9977])  # fmt: skip


def _shared_twice(column: str, label: str, m: list[float], u: list[float]) -> ComparisonCreator:
    """Two shared values, one, none (connections, classifications)."""
    return _comparison(column, label, [cll.ArrayIntersectLevel(column, 2),
                                       cll.ArrayIntersectLevel(column, 1)], m, u)  # fmt: skip


def _identifier() -> ComparisonCreator:
    """Tax ids, passport numbers, IBANs: the same, one typo apart, or different."""
    return _comparison(
        "ids", "identifier",
        [cll.ArrayIntersectLevel("ids", 1), cll.DamerauLevenshteinLevel("id0", 1)],
        [0.85, 0.08, 0.07], [0.0001, 0.0005, 0.9994],
    )  # fmt: skip


def _address(group: str) -> ComparisonCreator:
    """The same street address; close spellings of it at the same house number; the
    same postcode. Two houses on one street are not one address; for an organisation,
    two house numbers are two sites (people move, so for them it is no more than a
    different address)."""
    same_house = cll.ExactMatchLevel("house0")
    levels = [cll.ArrayIntersectLevel("addresses", 1),
              cll.And(cll.JaroWinklerLevel("address0", 0.95), same_house),
              cll.And(cll.ArrayIntersectLevel("address_tokens", 3), same_house),
              cll.ArrayIntersectLevel("postcodes", 1)]  # fmt: skip
    if group == PERSON:
        return _comparison("addresses", "address", levels, [0.45, 0.15, 0.1, 0.1, 0.2],
                           [0.0005, 0.0005, 0.002, 0.02, 0.977])  # fmt: skip
    # before the shared postcode: one postcode, two house numbers is two sites
    other_house = _condition('"house0_l" <> "house0_r"', label_for_charts=OTHER_HOUSE)
    return _comparison("addresses", "address", [*levels[:3], other_house, levels[3]],
                       [0.45, 0.15, 0.1, 0.03, 0.1, 0.17],
                       [0.0005, 0.0005, 0.002, 0.6, 0.02, 0.377])  # fmt: skip


OTHER_HOUSE = "Different house numbers"


def _connections(group: str) -> ComparisonCreator:
    """Names of connected entities (employers, co-directors, counterparts, co-authors,
    the documents and events a record appears in): two or one shared that few records
    list, then two or one shared that many list. A rare co-author says much, a big
    employer little; sharing none says little (two sources seldom record the same
    kind of connection: a bank its counterparties, a telephone company its callers)."""
    shared = cll.ArrayIntersectLevel
    # within one source connections are of one kind (co-authors of patents, directors of
    # companies): two records with several rare ones each and none in common are
    # likely two parties of one name
    apart = _condition(
        '"source_l" = "source_r" AND "rich_context_l" IS NOT NULL '
        'AND "rich_context_r" IS NOT NULL', label_for_charts=APART,
    ).configure(fix_u_probability=True)  # few random pairs reach it: sampling says nothing
    levels = [shared("neighbours_rare", 2), shared("neighbours_rare", 1),
              shared("neighbours", 2), shared("neighbours", 1), apart]  # fmt: skip
    if group == ORGANISATION:
        # companies of one group share directors, inventors and counterparties: for
        # them shared connections support a similar name, they do not make one
        levels[:4] = [level.configure(fix_u_probability=True) for level in levels[:4]]
        return _comparison("neighbours", "connections", levels,
                           [0.15, 0.1, 0.05, 0.05, 0.08, 0.57],
                           [0.0012, 0.003, 0.01, 0.02, 0.5, 0.4658])  # fmt: skip
    return _comparison("neighbours", "connections", levels,
                       [0.15, 0.1, 0.05, 0.05, 0.08, 0.57],
                       [1e-5, 2e-4, 0.001, 0.01, 0.5, 0.48879])  # fmt: skip


APART = "Several rare connections each, none shared, in one source"


def _person_name() -> ComparisonCreator:
    jw, exact = cll.JaroWinklerLevel, cll.ExactMatchLevel
    return _comparison(
        "name", "name",
        [exact("name_key", term_frequency_adjustments=True),
         cll.Or(exact("name_fold"), cll.ArrayIntersectLevel("name_keys", 1),
                cll.ColumnsReversedLevel("first_name", "last_name", symmetrical=True)),
         cll.And(exact("last_name"), exact("first_canon")),
         cll.And(jw("last_name", 0.92), jw("first_name", 0.92)),
         # a household shares a surname, an address and a landline: first names that
         # are not forms of one name, with different initials or both written out and
         # far apart (Angel, Andrea), are two people
         cll.And(_condition('"first_canon_l" <> "first_canon_r"'),
                 cll.Or(_condition('"first_initial_l" <> "first_initial_r"'),
                        cll.And(_condition('length("first_name_l") > 1 '
                                           'AND length("first_name_r") > 1'),
                                cll.Not(jw("first_name", 0.85))))).configure(
            label_for_charts=OTHER_GIVEN),
         cll.And(exact("last_name"), exact("first_initial")),
         exact("last_name", term_frequency_adjustments=True),
         cll.And(cll.Or(jw("last_name", 0.85), exact("last_phon")),
                 cll.Or(jw("first_name", 0.85), exact("first_initial"))),
         cll.ArrayIntersectLevel("name_tokens", 1)],
        [0.6, 0.1, 0.05, 0.09, 0.04, 0.03, 0.03, 0.03, 0.02, 0.01],
        [1e-5, 1e-5, 2e-5, 5e-5, 0.9, 5e-5, 0.002, 0.0005, 0.01, 0.08779],
        null="name_key",
    )  # fmt: skip


OTHER_GIVEN = "Different first names"


def _birth_date() -> ComparisonCreator:
    exact = cll.ExactMatchLevel
    # two full dates in different years (not one typo apart): a father and his son
    apart = _condition('length("birth_date_l") = 10 AND length("birth_date_r") = 10 '
                       'AND "birth_year_l" <> "birth_year_r"', label_for_charts=OTHER_YEAR)
    return _comparison(
        "birth_date", "date of birth",
        [exact("birth_date"), cll.DamerauLevenshteinLevel("birth_date", 1),
         exact("birth_ym"), exact("birth_year"), apart],
        [0.8, 0.1, 0.02, 0.05, 0.01, 0.02], [0.0001, 0.002, 0.001, 0.012, 0.8, 0.1849],
    )  # fmt: skip


OTHER_YEAR = "Full dates of birth in different years"
# levels at which two records say they are two parties, however alike the rest: such a
# pair is kept apart like two parties named in one source record (a person's "same"
# overrides it). A father and his son of one name at one address agree on everything
# else; a typo in the year is one edit apart and falls in a level above
CONTRADICTIONS = frozenset({OTHER_YEAR})
# ... unless they share what identifies one person whoever else shares an address or a
# landline: per comparison, how many of its first levels do (the same identifier or one
# typo apart, the same e-mail address, a phone number nobody else is known to hold). A
# wrong date of birth beside the right passport number is a clerk's error, or an alias
IDENTIFYING = {"ids": 2, "emails": 1, "phones": 1}


def _org_name() -> ComparisonCreator:
    jw, exact = cll.JaroWinklerLevel, cll.ExactMatchLevel
    return _comparison(
        "name", "name",
        [exact("name_key", term_frequency_adjustments=True),
         cll.Or(exact("name_fold"), cll.ArrayIntersectLevel("name_keys", 1)),
         jw("display", 0.95),
         # close spellings that add no word on both sides: one agency's sites "... FCCH -
         # Maria Flores" and "... FCCH - Ileana Gonzalez" share a long prefix, not a name
         cll.And(jw("display", 0.88), cll.ArraySubsetLevel("name_tokens")),
         cll.ArrayIntersectLevel("name_tokens", 2), cll.ArrayIntersectLevel("name_tokens", 1)],
        [0.55, 0.1, 0.1, 0.08, 0.07, 0.05, 0.05],
        [1e-5, 1e-5, 5e-5, 0.0005, 0.001, 0.02, 0.97843],
        null="name_key",
    )  # fmt: skip


def comparisons(group: str) -> list[ComparisonCreator]:
    contact = [
        _identifier(),
        _phone(),
        _any_shared("emails", "email", 0.7),
        _address(group),
        _any_shared("countries", "country", 0.95, u=0.3),
        _connections(group),
    ]
    if group == PERSON:
        return [_person_name(), _birth_date(), *contact]
    return [
        _org_name(),
        _any_shared("domains", "website or e-mail domain", 0.6),
        _shared_twice("classes", "sector or classification", [0.4, 0.3, 0.3], [0.01, 0.05, 0.94]),
        *contact,
    ]


def blocking_rules(group: str) -> list[BlockingRuleCreator]:
    shared = [block_on("id0"), block_on("phone0"), block_on("email0"), block_on("name_rare"),
              block_on("fold_rare")]  # fmt: skip
    if group == PERSON:
        return [
            *shared,
            block_on("neighbours_rare", "last_phon", arrays_to_explode=["neighbours_rare"]),
            block_on("canon_rare"),
            block_on("name_key", "birth_year"),
            block_on("last_name", "birth_date"),
            block_on("first_canon", "birth_date"),
            block_on("last_phon", "first_initial", "birth_year"),
            block_on("last_name", "postcode0"),
            block_on("name_key", "postcode0"),
            block_on("birth_date", "postcode0"),
            block_on("birth_date", "first_initial"),
            block_on("postcode0", "house0"),
            block_on("address0", "first_initial"),
            block_on("substr(id0, 1, 4)", "birth_year"),
        ]
    return [
        *shared,
        block_on("neighbours_rare", arrays_to_explode=["neighbours_rare"]),
        block_on("name_fold", "postcode0"),
        block_on("domain0"),
        block_on("address0"),
        block_on("token_rare"),
        block_on("postcode0", "house0"),
    ]


def training_rules(group: str) -> list[BlockingRuleCreator]:
    """EM blocks: each one fixes some comparisons and trains the others."""
    if group == PERSON:
        return [block_on("name_key"), block_on("birth_date"), block_on("phone0")]
    return [block_on("name_key"), block_on("postcode0"), block_on("phone0")]


def deterministic_rules(group: str) -> list[str]:
    """Rules that are nearly always right, to estimate how many pairs match at all."""
    shared = ["l.id0 = r.id0", "l.name_key = r.name_key and l.phone0 = r.phone0",
              "l.name_key = r.name_key and l.email0 = r.email0",
              "l.name_key = r.name_key and l.address0 = r.address0"]  # fmt: skip
    if group == PERSON:
        return [*shared, "l.name_key = r.name_key and l.birth_date = r.birth_date"]
    return [*shared, "l.name_key = r.name_key and l.postcode0 = r.postcode0"]


# when the data has none of the above to go by (lists of names), an exact name that
# few records share is the best evidence of a match there is
NAME_ONLY_RULES = ["l.name_rare = r.name_rare"]


def settings(group: str, dialect: str = "duckdb") -> dict[str, Any]:
    from splink import SettingsCreator

    creator = SettingsCreator(
        link_type="dedupe_only",
        comparisons=list[ComparisonCreator | dict[str, Any]](comparisons(group)),
        blocking_rules_to_generate_predictions=list[BlockingRuleCreator | dict[str, Any]](
            blocking_rules(group)
        ),
        probability_two_random_records_match=PRIOR,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )
    result: dict[str, Any] = creator.get_settings(dialect).as_dict()  # type: ignore[no-untyped-call]
    return result


def for_dialect(model: dict[str, Any], group: str, dialect: str) -> dict[str, Any]:
    """A trained model's parameters on settings written in another engine's SQL: the
    comparisons and levels are the same, only their SQL differs."""
    fresh = settings(group, dialect)
    for new, old in zip(fresh["comparisons"], model["comparisons"], strict=True):
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"],
                                        strict=True):  # fmt: skip
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    new_level[key] = old_level[key]
    fresh["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return fresh


def comparison_labels(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Per comparison: its name and the label and weight of each level, for explanations."""
    out = []
    for comparison in model["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            levels.append({"label": level.get("label_for_charts", ""), "weight": weight,
                           "null": bool(level.get("is_null_level"))})  # fmt: skip
        out.append({"name": comparison["output_column_name"], "levels": levels})
    return out


def prior_weight(model: dict[str, Any]) -> float:
    p = float(model["probability_two_random_records_match"])
    return math.log2(p / (1 - p))
