"""The senders and recipients of e-mails as FollowTheMoney entities: a Person, or a
LegalEntity for an address that is an office's rather than a person's, with the name
and the e-mail address the messages give. One entity per address (its id a hash of the
address), so that every message of the same party speaks of the same record; the
message is linked to it by the mention of its address."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from followthemoney.types import registry

PARTY_FIELDS = ("from", "sender", "to", "cc", "bcc", "reply_to")
_PARTY = re.compile(r"^(?P<name>.*?)\s*<(?P<address>[^<>\s]+@[^<>\s]+)>$")
# an address or name of an office, a desk or a company rather than a person's
_OFFICE_WORDS = frozenset((
    "info", "office", "contact", "contacts", "sales", "support", "service", "services",
    "admin", "administration", "team", "desk", "noreply", "no-reply", "donotreply",
    "newsletter", "news", "billing", "accounts", "accounting", "invoice", "invoices",
    "press", "marketing", "hr", "jobs", "careers", "help", "helpdesk", "webmaster",
    "postmaster", "mail", "mailer-daemon", "list", "lists", "gmbh", "ag", "ltd", "llc",
    "inc", "corp", "limited", "plc", "sa", "srl", "bv", "kg",
))  # fmt: skip


def parties(meta: dict[str, Any]) -> dict[str, str]:
    """The e-mail address and name (or "") of each party of one message's metadata."""
    out: dict[str, str] = {}
    for field in PARTY_FIELDS:
        for item in meta.get(field) or []:
            match = _PARTY.match(str(item).strip())
            name, address = (match["name"], match["address"]) if match else ("", str(item))
            address = address.strip().lower()
            if registry.email.validate(address):
                name = name.strip().strip("'\"").strip()
                if name.lower() == address:
                    name = ""
                out[address] = out.get(address) or name
    return out


def entities(found: dict[str, str]) -> Iterable[dict[str, Any]]:
    """One FtM entity per address of ``found`` (address: name)."""
    for address, name in sorted(found.items()):
        words = re.findall(r"[\w\-]+", f"{name} {address.split('@')[0]}".lower())
        office = not name or len(name.split()) < 2 or any(w in _OFFICE_WORDS for w in words)
        props: dict[str, list[str]] = {"email": [address], "name": [name or address]}
        yield {
            "id": "mail-party-" + hashlib.sha1(address.encode()).hexdigest()[:24],
            "schema": "LegalEntity" if office else "Person",
            "properties": props,
        }
