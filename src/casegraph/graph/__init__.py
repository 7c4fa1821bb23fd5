"""Edges between canonical subjects, and what can be asked of them."""
