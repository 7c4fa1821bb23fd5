"""Subjects: the assembled view of one canonical id, with sources on every value."""
