"""Mount the API's routes on the FastAPI app that ``casegraph.server`` assembles."""

from __future__ import annotations

from fastapi import FastAPI

from casegraph.api import (
    case_routes,
    document_routes,
    flag_routes,
    graph_routes,
    lead_routes,
    resolution_routes,
    routes,
)

ROUTERS = [routes.router, resolution_routes.router, graph_routes.router, case_routes.router,
           document_routes.router, lead_routes.router, flag_routes.router]  # fmt: skip


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
