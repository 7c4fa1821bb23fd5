"""Password hashes: argon2 at its default cost unless the test suite's variable asks for
the cheapest (docs/operations.md), and every hash checks whatever cost it was made at."""

from __future__ import annotations

import os

from argon2 import PasswordHasher

from casegraph.access import identities
from casegraph.access.identities import (
    CHEAP_PASSWORD_HASHING,
    CHEAP_PASSWORD_HASHING_VALUE,
    make_hasher,
    verify_password,
)

PASSWORD = "correct horse battery"


def test_the_default_cost_unless_the_test_suite_asks() -> None:
    default = PasswordHasher()
    for environ in ({}, {CHEAP_PASSWORD_HASHING: "1"}, {CHEAP_PASSWORD_HASHING: "yes"}):
        hasher = make_hasher(environ)
        assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
            default.time_cost, default.memory_cost, default.parallelism,
        )  # fmt: skip
    cheap = make_hasher({CHEAP_PASSWORD_HASHING: CHEAP_PASSWORD_HASHING_VALUE})
    assert (cheap.time_cost, cheap.memory_cost, cheap.parallelism) == (1, 8, 1)


def test_the_suite_and_its_subprocesses_hash_cheaply() -> None:
    assert os.environ[CHEAP_PASSWORD_HASHING] == CHEAP_PASSWORD_HASHING_VALUE
    assert identities._hasher().memory_cost == 8


def test_hashes_of_any_cost_check() -> None:
    cheap = make_hasher({CHEAP_PASSWORD_HASHING: CHEAP_PASSWORD_HASHING_VALUE})
    for made_by in (PasswordHasher(), cheap):
        stored = made_by.hash(PASSWORD)
        assert verify_password(stored, PASSWORD)
        assert not verify_password(stored, PASSWORD + "!")
        assert make_hasher({}).verify(stored, PASSWORD)
    assert not verify_password(None, PASSWORD)
    assert not verify_password("not a hash", PASSWORD)
