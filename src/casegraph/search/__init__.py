"""Full-text and fuzzy search over canonical subjects (documents, query syntax, ranking)."""
