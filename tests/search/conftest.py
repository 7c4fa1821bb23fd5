"""The search tests' workspace: the small investigation of ``data``, loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from tests.api.test_api import add_users
from tests.search import data


@pytest.fixture
def loaded(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Workspace:
    with workspace.session(ctx) as s:
        data.load(s, tmp_path)
        add_users(s, {"vic": "viewer"}, cleared=("vic",))  # PUBLIC only: no bank
    return workspace
