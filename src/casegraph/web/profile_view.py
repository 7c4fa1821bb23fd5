"""What the profile page makes of a subject: its key facts on top (each value once, with
every source that states it), its structural relationships, its activity by
counterpart, and a timeline with a histogram of events by month. Shaping only: the
data comes from the session (``s.subjects.profile``, ``s.graph.relations``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from followthemoney import model as ftm

from casegraph.model.edges import kind_label

NAMES = ("name", "alias", "weakAlias", "previousName", "abbreviation")
# the key facts, in order: (heading, property types, properties) - a fact is shown under
# the first heading that names its property or its property's type
KEY_FACTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Names and aliases", (), NAMES),
    ("Born", (), ("birthDate",)),
    ("Died", (), ("deathDate",)),
    ("Incorporated", (), ("incorporationDate",)),
    ("Dissolved", (), ("dissolutionDate",)),
    ("Countries", ("country",), ()),
    ("Identifiers", ("identifier", "iban", "checksum"), ()),
    ("Phones", ("phone",), ()),
    ("E-mail", ("email",), ()),
    ("Addresses", ("address",), ()),
)
HISTOGRAM_WIDTH = 960
HISTOGRAM_HEIGHT = 90
WAY_WORDS = {
    "Payment": {"out": "paid", "in": "received from", "both": "with"},
    "Call": {"out": "called", "in": "called by", "both": "with"},
}


def _prop(schema: str, name: str) -> Any:
    found = ftm.get(schema)
    return found.get(name) if found else None


def label(schema: str, prop: str) -> str:
    item = _prop(schema, prop)
    return str(item.label) if item else prop


def grouped(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """Facts grouped by property: each value once, with every source that states it and
    when it was first and last seen."""
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for fact in profile["facts"]:
        value = groups[fact["prop"]].setdefault(
            fact["value"],
            {"value": fact["value"], "sources": [], "first_seen": fact["first_seen"],
             "last_seen": fact["last_seen"], "original": fact["original_value"]},
        )  # fmt: skip
        if fact["source"] not in value["sources"]:
            value["sources"].append(fact["source"])
        value["first_seen"] = min(value["first_seen"], fact["first_seen"])
        value["last_seen"] = max(value["last_seen"], fact["last_seen"])
    props = sorted(groups, key=lambda p: (NAMES.index(p) if p in NAMES else len(NAMES), p))
    return [
        {"prop": p, "label": label(profile["schema"], p), "values": list(groups[p].values())}
        for p in props
    ]


def key_facts(profile: dict[str, Any], groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The facts a person needs first, under their headings: each value once with all
    its sources, and its property's name where a heading gathers several."""
    out: list[dict[str, Any]] = []
    for heading, types, props in KEY_FACTS:
        chosen = []
        for group in groups:
            prop = _prop(profile["schema"], group["prop"])
            kind = prop.type.name if prop is not None else ""
            if group["prop"] in props or (kind in types and group["prop"] not in NAMES):
                chosen.append((group, prop))
        values: dict[str, dict[str, Any]] = {}  # by the text shown: each once
        for group, prop in chosen:
            # the property's name where the heading gathers several (not for plain names)
            what = group["label"] if len(chosen) > 1 and group["prop"] != "name" else ""
            for v in group["values"]:
                text = v["value"]
                if prop is not None and prop.type.name == "country":
                    text = prop.type.caption(v["value"]) or v["value"]
                if text not in values:
                    values[text] = {**v, "whats": [], "text": text, "sources": []}
                item = values[text]
                item["whats"] += [what] if what and what not in item["whats"] else []
                item["sources"] += [s for s in v["sources"] if s not in item["sources"]]
        if values:
            shown = [{**v, "what": ", ".join(v.pop("whats"))} for v in values.values()]
            out.append({"heading": heading, "values": shown})
    return out


def dated_facts(profile: dict[str, Any], groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The subject's own dates (birth, incorporation ...), each value once."""
    out = []
    for group in groups:
        prop = _prop(profile["schema"], group["prop"])
        if prop is not None and prop.type.name == "date":
            out += [{"at": v["value"], "what": group["label"], "sources": v["sources"]}
                    for v in group["values"]]  # fmt: skip
    return out


def timeline(
    profile: dict[str, Any], groups: list[dict[str, Any]], structure: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Dated facts and the dates of structural relationships, oldest first."""
    items = dated_facts(profile, groups)
    for edge in structure:
        for at, word in ((edge["start_date"], "from"), (edge["end_date"], "until")):
            if at and (word == "from" or at != edge["start_date"]):
                items.append({"at": at, "what": f"{kind_label(edge['kind'])} {word}",
                              "other": edge["other"], "sources": edge["sources"]})  # fmt: skip
    return sorted(items, key=lambda i: (i["at"], i["what"]))


def way_text(kind: str, way: str) -> str:
    """The subject's side of an event, in words: "paid", "received from", "called by"."""
    return WAY_WORDS.get(kind, {}).get(way, {"out": "to", "in": "from"}.get(way, "with"))


def histogram_bars(months: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars of a month histogram, placed in a ``HISTOGRAM_WIDTH`` x ``HISTOGRAM_HEIGHT``
    box, with a year tick at each January (and the first month)."""
    if not months:
        return {"bars": [], "ticks": [], "width": HISTOGRAM_WIDTH, "height": HISTOGRAM_HEIGHT}
    top = max(m["count"] for m in months) or 1
    step = HISTOGRAM_WIDTH / len(months)
    plot = HISTOGRAM_HEIGHT - 16
    bars, ticks = [], []
    for i, m in enumerate(months):
        h = round(plot * m["count"] / top, 1) if m["count"] else 0
        kinds = ", ".join(f"{c:,} {k.lower()}{'s' if c != 1 else ''}"
                          for k, c in sorted(m["kinds"].items()))  # fmt: skip
        bars.append({"x": round(i * step, 1), "w": max(round(step - 1, 1), 1), "y": plot - h,
                     "h": h, "month": m["month"],
                     "title": f"{m['month']}: {kinds or 'none'}"})  # fmt: skip
        if i == 0 or m["month"].endswith("-01"):
            ticks.append({"x": round(i * step, 1), "text": m["month"][:4]})
    return {"bars": bars, "ticks": ticks, "width": HISTOGRAM_WIDTH, "height": HISTOGRAM_HEIGHT,
            "first": months[0]["month"], "last": months[-1]["month"]}  # fmt: skip
