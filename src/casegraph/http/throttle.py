"""The sign-in throttle: one for the API's sign-in and the sign-in page, so that
failures at either count for both."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from fastapi import HTTPException


class LoginThrottle:
    """Failed sign-ins, counted in ``window`` seconds (old failures are forgotten): at
    most ``limit`` per client address and user name, ``limit * 4`` per client address
    over all names, and ``limit * 4`` per user name over all client addresses, so that
    changing one's address (or a forged ``X-Forwarded-For``, were it trusted) buys no
    more guesses at one account. The client address is the connection's, or the one a
    configured proxy forwards (``CASEGRAPH_TRUSTED_PROXIES``)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[tuple[str, str, str], deque[float]] = defaultdict(deque)

    def _keys(self, client: str, username: str) -> list[tuple[tuple[str, str, str], int]]:
        return [
            (("pair", client, username), self.limit),
            (("client", client, ""), self.limit * 4),
            (("account", "", username), self.limit * 4),
        ]

    def _recent(self, key: tuple[str, str, str]) -> deque[float]:
        recent = self.failures[key]
        while recent and recent[0] < time.monotonic() - self.window:
            recent.popleft()
        if not recent:
            del self.failures[key]
            recent = self.failures[key]
        return recent

    def check(self, client: str, username: str) -> None:
        for key, limit in self._keys(client, username):
            recent = self._recent(key)
            if len(recent) >= limit:
                retry = int(recent[0] + self.window - time.monotonic()) + 1
                raise HTTPException(429, "too many failed sign-ins; try again later",
                                    headers={"Retry-After": str(retry)})  # fmt: skip
        if len(self.failures) > 10_000:  # forget idle keys
            for key in [k for k, v in self.failures.items() if not v]:
                del self.failures[key]

    def failed(self, client: str, username: str) -> None:
        now = time.monotonic()
        for key, _limit in self._keys(client, username):
            self._recent(key).append(now)

    def succeeded(self, client: str, username: str) -> None:
        # only this address's count for the name: the account's count over all
        # addresses stays, or one good sign-in would reset a guesser elsewhere
        self.failures.pop(("pair", client, username), None)


throttle = LoginThrottle()
