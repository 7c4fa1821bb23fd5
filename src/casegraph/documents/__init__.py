"""Unstructured files: what kind each is, their text per page and metadata, the files
inside them (e-mail attachments, archive members), and the limits that keep one bad
file from stopping a batch."""
