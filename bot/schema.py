"""Database schema as named migrations, applied once each, in list order, at start-up.

Append new migrations at the end with a new name; never edit one that has shipped.
Statements are separated by ";" at the end of a line.
"""

CORE = """
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    followed INTEGER NOT NULL DEFAULT 0,
    followed_at TEXT,
    unfollowed_at TEXT,
    first_interaction_at TEXT,
    last_interaction_at TEXT,        -- decides Zalo's 7-day reply window
    display_name TEXT
);
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    event_name TEXT NOT NULL,
    user_id TEXT,
    event_time_ms INTEGER NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | processing | replying | done | ignored | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL,
    claimed_at TEXT,
    claimed_by TEXT,                  -- host:pid of the worker holding the lease
    processed_at TEXT,
    error TEXT
);
CREATE INDEX inbox_pending ON inbox (status, id);
CREATE INDEX inbox_user ON inbox (user_id, status);
CREATE TABLE outgoing (
    id INTEGER PRIMARY KEY,
    inbox_id INTEGER,                 -- the event this replies to (NULL for campaigns, staff replies)
    seq INTEGER NOT NULL DEFAULT 0,   -- position among that event's replies
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'reply',
    body TEXT NOT NULL,               -- the Zalo message object, JSON
    status TEXT NOT NULL DEFAULT 'queued',    -- queued | sending | sent | sandbox | failed | ambiguous
    zalo_message_id TEXT,
    error_code INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (inbox_id, seq)
);
CREATE INDEX outgoing_status ON outgoing (status, id);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    access_token TEXT,
    refresh_token TEXT,
    access_expires_at REAL,
    refresh_obtained_at REAL,
    previous_access_token TEXT,
    previous_refresh_token TEXT,
    seeded_from TEXT,                 -- hash of the env refresh token this row was seeded from
    last_error TEXT,
    last_error_at REAL,
    updated_at REAL
)
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("001_core", CORE),
]
