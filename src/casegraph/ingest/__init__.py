"""Ingest: FollowTheMoney mappings, file readers, the streaming pipeline and rejects."""
