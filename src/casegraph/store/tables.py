"""The tables, as SQLAlchemy Core metadata (the Alembic migrations create them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("team", String(128), nullable=False),
    Column("marking", String(40), nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("retention_days", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(128), nullable=False),
)

statements = Table(
    "statements",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("entity_id", String(255), nullable=False),
    Column("canonical_id", String(255), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("prop_type", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("original_value", Text, nullable=True),
    Column("record_key", String(255), nullable=True),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Index("ix_statements_source_entity", "source", "entity_id"),
    Index("ix_statements_canonical", "canonical_id"),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False, index=True),
    Column("operator", String(128), nullable=False),
    Column("mapping", Text, nullable=False),
    Column("mapping_sha256", String(64), nullable=True),
    Column("inputs", Text, nullable=False),  # JSON: [{"path": ..., "sha256": ...}]
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("records_read", BigInteger, nullable=False, default=0),
    Column("entities", BigInteger, nullable=False, default=0),
    Column("statements", BigInteger, nullable=False, default=0),
    Column("rejected", BigInteger, nullable=False, default=0),
    Column("host", String(255), nullable=True),
    Column("pid", Integer, nullable=True),
    Column("message", Text, nullable=True),
)

rejects = Table(
    "rejects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False, index=True),
    Column("source", String(64), nullable=False),
    Column("file", Text, nullable=False),
    Column("line", BigInteger, nullable=True),
    Column("field", Text, nullable=True),
    Column("value", Text, nullable=True),
    Column("reason", Text, nullable=False),
)

# --- identities, clearances, minimal cases (accountability core) -------------------

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("disabled", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
)

teams = Table(
    "teams",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team", String(64), primary_key=True),
    Column("username", String(64), primary_key=True),
)

team_grants = Table(
    "team_grants",
    metadata,
    Column("team", String(64), primary_key=True),
    Column("marking", String(40), primary_key=True),
    Column("granted_by", String(128), nullable=False),
    Column("granted_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked", Integer, nullable=False, default=0),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("case_type", String(32), nullable=False, server_default="other"),
    Column("legal_basis", Text, nullable=False, server_default=""),
    Column("predicate", Text, nullable=False, server_default=""),
    Column("purpose", Text, nullable=False, server_default=""),
    Column("lead", String(64), nullable=True),
    Column("team", String(64), nullable=True),
    Column("priority", String(16), nullable=False, server_default="normal"),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("review_on", Date, nullable=True, index=True),
    Column("retention_days", Integer, nullable=False, server_default="1825"),
    Column("closed_at", DateTime, nullable=True),
    Column("erased_at", DateTime, nullable=True),
    Column("updated_at", DateTime, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
)

case_members = Table(
    "case_members",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("username", String(64), primary_key=True, index=True),
    Column("role", String(16), nullable=False),
    Column("added_at", DateTime, nullable=True),
    Column("added_by", String(128), nullable=True),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("ref", String(255), nullable=True),
    Column("reason", Text, nullable=True),
)

case_subjects = Table(
    "case_subjects",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("canonical_id", String(255), primary_key=True, index=True),
    Column("role", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("added_by", String(128), nullable=False),
    Column("added_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
)

case_tasks = Table(
    "case_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("assignee", String(64), nullable=True, index=True),
    Column("due_on", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("checklist", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("version", Integer, nullable=False),
)

case_note_revisions = Table(
    "case_note_revisions",
    metadata,
    Column("note_id", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("author", String(128), nullable=False),
    Column("at", DateTime, nullable=False),
)

case_comments = Table(
    "case_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("target", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("author", String(128), nullable=False),
    Column("at", DateTime, nullable=False),
)

case_evidence = Table(
    "case_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(255), nullable=False),
    Column("filename", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("added_at", DateTime, nullable=False),
    Column("added_by", String(128), nullable=False),
    Column("version", Integer, nullable=False),
)

case_custody = Table(
    "case_custody",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("evidence_id", Integer, nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("party", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

case_reviews = Table(
    "case_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("reviewer", String(128), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("next_review", Date, nullable=True),
)

# --- the audit ledger -----------------------------------------------------------------

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("case_id", String(32), nullable=True),
    Column("justification", Text, nullable=True),
    Column("refs", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("request_id", String(64), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

sealed_subjects = Table(
    "sealed_subjects",
    metadata,
    Column("canonical_id", String(255), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("sealed_by", String(128), nullable=False),
    Column("sealed_at", DateTime, nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# --- entity resolution --------------------------------------------------------------

resolve_models = Table(
    "resolve_models",
    metadata,
    Column("grp", String(16), primary_key=True),
    Column("model", Text, nullable=False),  # Splink settings with trained parameters
    Column("records", BigInteger, nullable=False),
    Column("trained_at", DateTime, nullable=False),
    Column("trained_by", String(128), nullable=False),
)

judgements = Table(
    "judgements",
    metadata,
    Column("pair", String(16), primary_key=True),  # stable hash of the two entity ids
    Column("origin", String(8), primary_key=True),  # model | user | record
    Column("left_id", String(255), nullable=False),
    Column("right_id", String(255), nullable=False),
    Column("left_source", String(64), nullable=False),
    Column("right_source", String(64), nullable=False),
    Column("grp", String(16), nullable=False),
    Column("judgement", String(8), nullable=False),  # positive | negative | unsure
    Column("probability", Float, nullable=True),
    Column("weight", Float, nullable=True),
    Column("detail", Text, nullable=True),  # JSON: [[level, weight], ...] per comparison
    Column("actor", String(128), nullable=False),
    Column("reason", Text, nullable=True),
    Column("decided_at", DateTime, nullable=False),
    Index("ix_judgements_left", "left_id"),
    Index("ix_judgements_right", "right_id"),
    Index("ix_judgements_review", "origin", "probability"),
)

resolved_entities = Table(
    "resolved_entities",
    metadata,
    Column("entity_id", String(255), primary_key=True),
    Column("grp", String(16), nullable=False),
    Column("source", String(64), nullable=False),
    Column("record_key", String(255), nullable=True),
    Column("canonical_id", String(255), nullable=False, index=True),
    Column("digest", String(40), nullable=False),  # of the entity's statements
)

# what resolution read of each entity on its last run: its source, schema, record,
# references and caption, and (a resolvable one) its standardised features. Kept while
# its key (statements, schema, source, standardising code) matches; erased with the
# statements. An entity whose statements changed since waits in ``resolve_pending``:
# a run reads the statements of those only, and takes the rest from here.
resolve_records = Table(
    "resolve_records",
    metadata,
    Column("entity_id", String(255), primary_key=True),
    Column("feature_key", String(40), nullable=False),
    Column("source", String(64), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("record_key", String(255), nullable=True),
    Column("refs", Text(), nullable=True),  # the entities it references, sorted, \x1f-joined
    Column("caption", Text(), nullable=True),  # folded name of an entity that is context
    Column("features", Text(), nullable=True),  # JSON; none for an unresolvable entity
)

# entities whose statements were written or erased since resolution last read them
resolve_pending = Table(
    "resolve_pending",
    metadata,
    Column("entity_id", String(255), primary_key=True),
)

# the standardising code (``resolve/extract.py::VERSION``) resolve_records was last
# completed with; a run under other code reads every statement again
resolve_read_state = Table(
    "resolve_read_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", String(40), nullable=False),
)

# --- derived: search index and graph edges (rebuilt from statements) ------------------

dirty_subjects = Table(
    "dirty_subjects",
    metadata,
    Column("canonical_id", String(255), primary_key=True),
    Column("source", String(64), primary_key=True),
)

# shared values (a phone, an address) whose "same:" edges a refresh rebuilds once all its
# subjects are indexed: once per value, whichever batches its holders were in
dirty_shared_values = Table(
    "dirty_shared_values",
    metadata,
    Column("field", String(32), primary_key=True),
    Column("value", String(255), primary_key=True),
)

search_docs = Table(
    "search_docs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("canonical_id", String(255), nullable=False),
    Column("source", String(64), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("caption", Text, nullable=False),
    Column("names", Text, nullable=False),  # display names, one per line
    Column("details", Text, nullable=False),  # "prop: value" lines for highlighting
    Column("terms", Text, nullable=False),  # normalised name tokens (full-text column 1)
    Column("body", Text, nullable=False),  # normalised other tokens (full-text column 2)
    Column("adult_on", String(10), nullable=True),  # 18th birthday by the latest birth date
)

search_values = Table(
    "search_values",
    metadata,
    Column("doc_id", Integer, nullable=False),
    Column("field", String(32), nullable=False),
    Column("value", String(255), nullable=False),
)

# facet bitmaps: the subjects (by ordinal) of each (field, value, source), for counting
# and for queries made of facet filters only; rebuilt with the documents
search_subjects = Table(
    "search_subjects",
    metadata,
    Column("ord", Integer, primary_key=True, autoincrement=True),
    Column("canonical_id", String(255), nullable=False, unique=True),
)

search_bitmaps = Table(
    "search_bitmaps",
    metadata,
    Column("field", String(32), primary_key=True),
    Column("value", String(255), primary_key=True),
    Column("source", String(64), primary_key=True),
    Column("version", Integer, nullable=False),  # bumped at every change: caches compare it
    Column("members", Integer, nullable=False),
    Column("bits", LargeBinary, nullable=False),  # a serialised Roaring bitmap of ordinals
)

search_terms = Table(
    "search_terms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("term", String(64), nullable=False, unique=True),
    Column("docs", Integer, nullable=False),  # documents using the term
)

search_term_variants = Table(
    "search_term_variants",
    metadata,
    Column("variant", String(64), primary_key=True),  # the term with one letter deleted
    Column("term", String(64), primary_key=True),
)

edges = Table(
    "edges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("src", String(255), nullable=False),  # canonical ids of the two ends
    Column("dst", String(255), nullable=False),
    Column("kind", String(32), nullable=False),  # FtM schema, or "same:<field>"
    Column("origin", String(255), nullable=False),  # relationship entity, or the shared value
    Column("origin_subject", String(255), nullable=True),  # canonical id of that entity
    Column("src_entity", String(255), nullable=True),
    Column("dst_entity", String(255), nullable=True),
    Column("source", String(64), nullable=False),  # both must be visible to see the edge
    Column("source2", String(64), nullable=False),
    Column("directed", Integer, nullable=False),
    Column("start_date", String(32), nullable=True),
    Column("end_date", String(32), nullable=True),
    Column("amount", Float, nullable=True),  # payment amount, call duration
    Column("share", Float, nullable=True),  # ownership percentage
    Column("label", Text, nullable=True),
    Column("unit", String(8), nullable=True),  # of the amount: currency code, or "s"
)

# one row: bumped by every transaction that changes an edge (store.adjacency reads it)
edges_epoch = Table(
    "edges_epoch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("epoch", Integer, nullable=False),
)

# documents: each file's content once (by SHA-256) with its text per page, and each
# place a file was found (a source's folder, an e-mail, an archive) as an occurrence
doc_files = Table(
    "doc_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("kind", String(16), nullable=True),  # documents.kinds: pdf, email, zip ...
    Column("schema", String(32), nullable=True),  # FtM: Pages, Email, Package ...
    Column("stage", String(16), nullable=False),  # queued, ocr, done, failed
    Column("error", Text, nullable=True),
    Column("error_stage", String(16), nullable=True),  # extract, ocr
    Column("attempts", Integer, nullable=False),
    Column("ocr_languages", String(64), nullable=True),  # None: no OCR
    Column("pages", Integer, nullable=False),
    Column("paged", Integer, nullable=False),
    Column("title", Text, nullable=True),
    Column("meta", Text, nullable=False),  # JSON
    Column("message_id", String(255), nullable=True, index=True),
    Column("in_reply_to", String(255), nullable=True, index=True),
    Column("dated", String(32), nullable=True),  # sent, or created: ISO 8601
    Column("processed_at", DateTime, nullable=True),
    Column("country", String(2), nullable=True),  # where phone numbers are read as local
    Column("scanned", Integer, nullable=False, server_default="0"),  # 1: mentions found
    Column("language", String(8), nullable=True),  # ISO 639-2: stated, else recognised
    Index("ix_doc_files_stage", "stage"),
    Index("ix_doc_files_scanned", "scanned"),
)

doc_pages = Table(
    "doc_pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False),
    Column("page", Integer, nullable=False),  # 0: the file's properties; 1, 2 ...: its pages
    Column("text", Text, nullable=False),
    Column("ocr", String(8), nullable=False),  # "", pending, done, failed
    Column("error", Text, nullable=True),
    Index("ix_doc_pages_page", "sha256", "page", unique=True),
    Index("ix_doc_pages_ocr", "ocr"),
)

doc_members = Table(
    "doc_members",
    metadata,
    Column("sha256", String(64), primary_key=True),  # the container
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("child", String(64), nullable=False),
)

# what a document's text mentions: identifiers (e-mail, phone, IBAN) and the names of
# subjects, each with where it is; linked to subjects when read (``field``, ``key``: as
# the search index keeps values and names). Decisions are kept apart, by place, text and
# subject (one decider decides on the subjects they may see, no other), so that they
# outlive a re-reading of the document.
doc_mentions = Table(
    "doc_mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False),
    Column("page", Integer, nullable=False),
    Column("char_start", Integer, nullable=False),
    Column("char_end", Integer, nullable=False),
    Column("text", String(255), nullable=False),
    Column("rule", String(16), nullable=False),  # email, phone, iban, name
    Column("field", String(16), nullable=False),  # email, phone, id, name
    Column("key", String(255), nullable=False),
    Index("ix_doc_mentions_sha256", "sha256", "page"),
    Index("ix_doc_mentions_key", "field", "key"),
)

mention_decisions = Table(
    "mention_decisions",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("page", Integer, primary_key=True),
    Column("char_start", Integer, primary_key=True),
    Column("char_end", Integer, primary_key=True),
    Column("canonical_id", String(255), primary_key=True, index=True),  # the subject decided on
    Column("text", String(255), nullable=False),  # applies while the text there is this
    Column("decision", String(16), nullable=False),  # accepted, rejected, linked
    Column("decided_by", String(128), nullable=False),
    Column("decided_at", DateTime, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("source", String(64), nullable=False, index=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("parent_id", String(40), nullable=True, index=True),
    Column("name", Text, nullable=False),
    Column("path", Text, nullable=False),  # the whole path: folder, archive, e-mail, file
    Column("depth", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # queued, linked, refused
    Column("error", Text, nullable=True),  # why the files inside were not followed
    Column("added_at", DateTime, nullable=False),
    Column("added_by", String(128), nullable=False),
    Column("last_seen", DateTime, nullable=False),  # loaded again: retention counts from it
)

# Screening: a configuration (a list source against a scope, under a purpose), its runs
# (resumable: the last subject done is the run's cursor), the digest of what was
# compared of every subject and list entry at its last run (what changed since is
# compared again), and the leads found: one per subject and list entry, with the score
# and reasons of its latest comparison and the decision on it, which outlives re-runs.
screenings = Table(
    "screenings",
    metadata,
    Column("id", String(20), primary_key=True),  # hash of the list and the scope
    Column("against", String(64), nullable=False, index=True),  # the list source
    Column("scope", String(300), nullable=False),  # case:ID | source:NAME
    Column("threshold", Float, nullable=False),
    Column("case_id", String(32), nullable=True),  # the purpose: a case ...
    Column("justification", Text, nullable=True),  # ... or a written justification
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_run", Integer, nullable=True),
)

screen_runs = Table(
    "screen_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("screening", String(20), nullable=False, index=True),
    Column("actor", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # running, done, interrupted, failed
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("entries_key", String(40), nullable=False),  # digest of the list as compared
    Column("cursor", String(255), nullable=True),  # the last subject done, in id order
    Column("subjects", Integer, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("changed_subjects", Integer, nullable=False),
    Column("changed_entries", Integer, nullable=False),
    Column("compared", BigInteger, nullable=False),  # pairs scored
    Column("found", Integer, nullable=False),  # pairs at or above the threshold
    Column("pid", Integer, nullable=True),
)

screen_digests = Table(
    "screen_digests",
    metadata,
    Column("screening", String(20), primary_key=True),
    Column("side", String(1), primary_key=True),  # s: a subject in scope, e: a list entry
    Column("canonical_id", String(255), primary_key=True),
    Column("digest", String(20), nullable=False),
)

leads = Table(
    "leads",
    metadata,
    Column("id", String(20), primary_key=True),  # hash of the list, subject and entry
    Column("kind", String(16), nullable=False),  # screening
    Column("against", String(64), nullable=False, index=True),
    Column("subject_id", String(255), nullable=False, index=True),
    Column("entry_id", String(255), nullable=False),
    Column("subject_caption", Text, nullable=False),
    Column("entry_caption", Text, nullable=False),
    Column("subject_entities", Text, nullable=False),  # JSON list of source entity ids
    Column("entry_entities", Text, nullable=False),
    Column("sources", Text, nullable=False),  # JSON: the sources the comparison read
    Column("score", Float, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON: [{feature, weight, words}]
    Column("strength", Float, nullable=False),  # the strongest evidence but the name
    Column("active", Integer, nullable=False),  # 0: its latest comparison fell below
    Column("status", String(16), nullable=False),  # open, confirmed, dismissed
    Column("reason", Text, nullable=True),
    Column("decided_by", String(128), nullable=True),
    Column("decided_at", DateTime, nullable=True),
    Column("case_id", String(32), nullable=True, index=True),  # linked to a case
    Column("screening", String(20), nullable=False),  # the screening that last found it
    Column("found_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_leads_rank", "against", "score"),
)

# Red-flag hits: one per rule and pattern (its subjects and what joins them), with the
# edges that make it, and the decision on it, which outlives re-runs.
flag_hits = Table(
    "flag_hits",
    metadata,
    Column("id", String(20), primary_key=True),  # hash of the rule, subjects and edges
    Column("rule", String(64), nullable=False, index=True),
    Column("scope", String(300), nullable=False),
    Column("subjects", Text, nullable=False),  # JSON list of subject ids
    Column("edges", Text, nullable=False),  # JSON: the edges, each with its source
    Column("words", Text, nullable=False),
    Column("weight", Float, nullable=False),
    Column("shape", String(16), nullable=False),  # hub, payments, cycle, path, shared
    Column("sources", Text, nullable=False),  # JSON: the sources of its edges
    Column("active", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open, dismissed
    Column("reason", Text, nullable=True),
    Column("decided_by", String(128), nullable=True),
    Column("decided_at", DateTime, nullable=True),
    Column("case_id", String(32), nullable=True, index=True),
    Column("found_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
