"""The domain services that hang off a session (``s.sources``, ``s.ingest``, ...).

Each is a thin facade: it checks what the caller may do through the session, records
the audit entry, and calls the domain code. ``service.py`` holds the session itself.
"""
