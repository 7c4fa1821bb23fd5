"""Audit: the hash-chained ledger, verification, signed checkpoints, oversight reports."""
