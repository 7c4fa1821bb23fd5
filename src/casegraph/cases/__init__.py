"""Cases: the vocabulary and rules (``rules``), Markdown notes (``notes``), evidence
files (``evidence``) and the timeline (``timeline``). No database access here."""
