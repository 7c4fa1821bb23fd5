"""The HTTP API (FastAPI) under /api/v1, over the same access-checked session."""
