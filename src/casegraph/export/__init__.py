"""Streaming exports: FtM entities (JSON lines) and statements (CSV)."""
