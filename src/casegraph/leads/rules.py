"""Red-flag rules as data: YAML files in the package (``leads/rules/``) and in the
workspace (``<data dir>/rules/``), each naming a built-in detector, the edge kinds and
properties it reads, and its parameters.

A rule is checked when it is loaded: a missing or unknown key, a detector or parameter
that does not exist, or a parameter of the wrong type is refused with the file and the
line. A rule that reads (or names in a parameter) a protected attribute is refused too:
no lead may come from who a person is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegraph.access.protected import ProtectedAttribute
from casegraph.errors import InvalidInput
from casegraph.ingest.yamlpos import YamlError, line_of, load_yaml

BUILT_IN = Path(__file__).with_name("rules")

# each detector's parameters and their defaults (a rule may set any of them)
DETECTORS: dict[str, dict[str, Any]] = {
    "hub": {"at_least": 5, "end": "src", "schemata": []},
    "structuring": {"threshold": 10000.0, "currency": "EUR", "below": 0.1,
                    "window_days": 90, "at_least": 3},
    "cycle": {"min_hops": 3, "max_hops": 4, "window_days": 365, "dated": True,
              "min_return": 0.5},
    "listed_nearby": {"max_hops": 2, "min_share": 25.0},
    "shared_contact": {"at_least": 2, "schemata": []},
}  # fmt: skip
KEYS = ("name", "title", "description", "detector", "reads", "params")


class RuleError(InvalidInput):
    """A rule file that cannot be used: names the file, the line and the problem."""


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    description: str
    detector: str
    edges: tuple[str, ...]
    properties: tuple[str, ...]
    params: dict[str, Any]
    path: str  # where it was loaded from

    def described_params(self) -> list[str]:
        """The parameters as people read them: "at_least: 5", "schemata: Company,
        Organization", "dated: yes"; a list left empty says "any"."""
        return [f"{k}: {_shown(v)}" for k, v in self.params.items()]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "detector": self.detector, "reads": {"edges": list(self.edges),
                "properties": list(self.properties)}, "params": self.params,
                "file": self.path}  # fmt: skip


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "any"
    return str(value)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)


def load_rule(path: Path, protected: Iterable[str]) -> Rule:
    try:
        data, lines = load_yaml(path)
    except YamlError as exc:
        raise RuleError(f"{path}:{exc.line or 1}: {exc}") from None

    def fail(where: tuple[Any, ...], problem: str, kind: type[InvalidInput] = RuleError) -> None:
        raise kind(f"{path}:{line_of(lines, where) or 1}: {problem}")

    if not isinstance(data, dict):
        fail((), "a rule is a mapping with " + ", ".join(KEYS))
    for key in data:
        if key not in KEYS:
            fail((key,), f"unknown key {key!r}; a rule has {', '.join(KEYS)}")
    for key in ("name", "title", "description", "detector"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            fail((key,), f"{key!r} is required (a text)")
    if data["detector"] not in DETECTORS:
        fail(("detector",), f"unknown detector {data['detector']!r}; one of "
             + ", ".join(DETECTORS))  # fmt: skip
    reads = data.get("reads")
    if not isinstance(reads, dict) or not isinstance(reads.get("edges"), list) or not all(
        isinstance(e, str) for e in reads["edges"]
    ):
        fail(("reads",), "'reads' needs 'edges': the edge kinds the rule reads (a list)")
    properties = reads.get("properties", [])
    if not isinstance(properties, list) or not all(isinstance(p, str) for p in properties):
        fail(("reads", "properties"), "'properties' is a list of property names")
    blocked = sorted(set(_strings([reads, data.get("params") or {}])) & set(protected))
    if blocked:
        fail(("reads",), f"the rule reads {', '.join(blocked)}: a protected attribute; no "
             "lead may come from who a person is", ProtectedAttribute)  # fmt: skip
    defaults = DETECTORS[data["detector"]]
    params = dict(defaults)
    for key, value in (data.get("params") or {}).items():
        if key not in defaults:
            fail(("params", key), f"unknown parameter {key!r} of {data['detector']}; it has "
                 + ", ".join(defaults))  # fmt: skip
        want = type(defaults[key])
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            fail(("params", key), f"{key!r} is a {want.__name__}, not {value!r}")
        params[key] = value
    return Rule(data["name"], data["title"], " ".join(data["description"].split()),
                data["detector"], tuple(reads["edges"]), tuple(properties), params,
                str(path))  # fmt: skip


def load_rules(folders: Iterable[Path], protected: Iterable[str]) -> dict[str, Rule]:
    """Every rule of ``folders`` by name (a workspace rule of a built-in's name replaces
    it); the first problem found is refused."""
    rules: dict[str, Rule] = {}
    wanted = list(protected)
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.y*ml")):
            rule = load_rule(path, wanted)
            rules[rule.name] = rule
    return rules
