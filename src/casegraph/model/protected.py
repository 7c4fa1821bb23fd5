"""Protected attributes: the FtM properties that are never search filters or facets
(configurable as ``Settings.protected_attributes``; these by default)."""

from __future__ import annotations

DEFAULT_PROTECTED = frozenset(
    {"religion", "ethnicity", "political", "politicalViews", "health", "sexualOrientation"}
)
