"""Database schema as named migrations, applied once each, in list order, at start-up.

Append new migrations at the end with a new name; never edit one that has shipped.
The list order is the applied order, and the definitions below follow it. The numbers in the
early names (001, 025, 040, 030, 020) are names, not a sequence: each database records the names
it has applied in `schema_migrations`, so renaming or reordering shipped ones would re-run or skip
them on existing databases (and 025_audience alters `users`, so it must come after 001_core).
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
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | processing | replying | done | ignored | failed; chat (terminal)
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL,
    claimed_at TEXT,
    claimed_by TEXT,                  -- holder name (host:pid:process) of the worker holding the lease
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

AUDIENCE = """
CREATE TABLE subscriptions (          -- topics a citizen chose to receive (campaigns.topics); written by the conversation layer
    user_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    subscribed_at TEXT,
    PRIMARY KEY (user_id, topic)
);
CREATE INDEX subscriptions_topic ON subscriptions (topic);
CREATE TABLE user_tags (              -- officer-assigned tags (and Zalo OA tags) used as campaign audiences
    user_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (user_id, tag)
);
CREATE INDEX user_tags_tag ON user_tags (tag);
-- do_not_contact: set on a data-deletion request; such citizens are never messaged
ALTER TABLE users ADD COLUMN do_not_contact INTEGER NOT NULL DEFAULT 0
"""

CONVERSATIONS = """
CREATE TABLE conversation_state (     -- the flow a citizen is in (feedback, deletion request), survives restarts
    user_id TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
CREATE TABLE tickets (                -- phản ánh, kiến nghị; user_id and contact are NULL once anonymised
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,        -- PA-<year>-<seq>
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    user_id TEXT,
    topic TEXT NOT NULL,
    content TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',   -- JSON list of image URLs (references, not copies)
    contact_name TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL DEFAULT 'open',       -- open | answered | closed
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    anonymised_at TEXT,
    UNIQUE (year, seq)
);
CREATE INDEX tickets_user ON tickets (user_id);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE TABLE ticket_replies (         -- staff answers to a ticket and their way to the citizen
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    body TEXT NOT NULL,
    staff TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,             -- sending | sent | held (outside the 7-day window) | released | failed
    error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    released_by TEXT                  -- dedupe key of the citizen message that released a held reply
);
CREATE INDEX ticket_replies_status ON ticket_replies (status, ticket_id);
CREATE TABLE handoffs (               -- conversations handed to staff; the bot is silent while one is open
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',       -- open | closed
    opened_at TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,   -- opening or the last staff message (oa_send_* echo)
    closed_at TEXT,
    closed_by TEXT,                   -- staff | timeout | citizen
    notified INTEGER NOT NULL DEFAULT 0        -- the citizen was told the bot is back
);
CREATE UNIQUE INDEX handoffs_open ON handoffs (user_id) WHERE status = 'open';
CREATE INDEX handoffs_user ON handoffs (user_id, status);
CREATE TABLE answer_log (             -- answers given, so a rating knows the question and the entry
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    question TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    score REAL NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX answer_log_user ON answer_log (user_id);
CREATE TABLE ratings (                -- "Hữu ích / Chưa đúng"; user_id and question cleared after retention
    answer_id INTEGER PRIMARY KEY,
    user_id TEXT,
    entry_id TEXT NOT NULL,
    question TEXT,
    verdict TEXT NOT NULL,            -- helpful | wrong
    created_at TEXT NOT NULL
);
CREATE INDEX ratings_user ON ratings (user_id);
CREATE TABLE flood_notes (            -- when a citizen was last asked to slow down: one note per burst
    user_id TEXT PRIMARY KEY,
    noted_at_ms INTEGER NOT NULL
)
"""

CAMPAIGNS = """
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    channel TEXT NOT NULL,            -- consultation | article | template
    spec TEXT NOT NULL,               -- the validated YAML mapping, JSON
    source TEXT NOT NULL DEFAULT '',  -- file it was added from
    enabled INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,             -- draft | scheduled | running | paused | done | cancelled | failed
    next_due_at TEXT,                 -- next scheduled run not yet handled (UTC ISO); the scheduler's persistent state
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE campaign_history (
    id INTEGER PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX campaign_history_campaign ON campaign_history (campaign_id, id);
CREATE TABLE campaign_runs (
    id INTEGER PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    scheduled_for TEXT NOT NULL,      -- the schedule's fire time (UTC ISO), or the request time of send-now
    trigger TEXT NOT NULL,            -- schedule | late | manual
    status TEXT NOT NULL,             -- missed | pending | sending | waiting | paused | done | cancelled | failed
    reason TEXT,
    message TEXT,                     -- what every recipient of this run gets, rendered once, JSON
    resume_at TEXT,                   -- when a waiting run continues (end of the quiet window)
    article_token TEXT,               -- article channel: create → verify → one broadcast
    article_id TEXT,
    broadcast_state TEXT,             -- sending | sent | ambiguous
    broadcast_message_id TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    UNIQUE (campaign_id, scheduled_for)
);
CREATE INDEX campaign_runs_status ON campaign_runs (status, campaign_id);
CREATE TABLE campaign_deliveries (    -- one row per (run, citizen): a restart resumes, nobody gets a run twice
    run_id INTEGER NOT NULL REFERENCES campaign_runs (id),
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,             -- pending | sending | sent | sandbox | skipped | failed | ambiguous
    reason TEXT,
    free_window INTEGER NOT NULL DEFAULT 0,   -- last interaction within 48 h when the run started (free CS message)
    attempts INTEGER NOT NULL DEFAULT 0,
    message_id TEXT,
    error_code INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, user_id)
) WITHOUT ROWID;
CREATE INDEX campaign_deliveries_status ON campaign_deliveries (run_id, status, user_id);
CREATE TABLE leases (                 -- who runs the scheduler, who delivers a run; renewed, expire when the holder dies
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at REAL NOT NULL
)
"""

UNANSWERED = """
CREATE TABLE unanswered (             -- questions the bot could not answer outright: staff turn them into content
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,           -- as asked, long digit runs and e-mail addresses masked
    normalized TEXT NOT NULL,         -- the matcher's normalisation: the grouping key
    asker TEXT NOT NULL DEFAULT '',   -- keyed hash (bot.log_ids.user_ref) to count people, never the Zalo id
    tier TEXT NOT NULL,               -- the matcher's decision: suggest | fallback | answer (rated wrong)
    best_entry_id TEXT,
    best_score REAL NOT NULL DEFAULT 0,
    candidates TEXT NOT NULL,         -- JSON [[entry id, score], ...], best first
    reason TEXT NOT NULL              -- fallback | suggest | rated_wrong
);
CREATE INDEX unanswered_asked ON unanswered (asked_at)
"""

H2_FORGOTTEN = """
CREATE TABLE forgotten_users (        -- citizens whose data was deleted on request: a keyed hash of the Zalo id, never
    user_hash TEXT PRIMARY KEY,       -- the id, so one who comes back or is re-imported is still do_not_contact
    forgotten_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE forgotten_key (          -- the random key of those hashes, made once per database
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key TEXT NOT NULL
)
"""

H7_REPORTS = """
CREATE TABLE message_events (         -- what became of an OA message: received, seen (Zalo receipts), replied, clicked
    message_id TEXT NOT NULL,         -- Zalo's id of the OA message (campaign_deliveries.message_id, outgoing.zalo_message_id)
    kind TEXT NOT NULL,               -- received | seen | replied | clicked; no citizen id: the message row says whose it was
    at TEXT NOT NULL,
    PRIMARY KEY (message_id, kind)
) WITHOUT ROWID;
CREATE INDEX h7_campaign_deliveries_user ON campaign_deliveries (user_id, updated_at);
ALTER TABLE handoffs ADD COLUMN first_staff_at TEXT;
CREATE TABLE report_daily (           -- counts per local day, rolled up before the retention purge (bot/reports/rollup.py)
    day TEXT NOT NULL,                -- YYYY-MM-DD in the configured timezone
    metric TEXT NOT NULL,
    key TEXT NOT NULL DEFAULT '',     -- entry id, minutes, question text…: never a citizen id
    n INTEGER NOT NULL,
    PRIMARY KEY (day, metric, key)
) WITHOUT ROWID;
CREATE TABLE report_people (          -- who was served on a day, to count distinct people over any period
    day TEXT NOT NULL,
    person INTEGER NOT NULL,          -- the users row number, never the Zalo id
    PRIMARY KEY (day, person)
) WITHOUT ROWID;
CREATE TABLE report_state (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE surveys (                -- the satisfaction question after a ticket or a handoff (bot/reports/survey.py)
    kind TEXT NOT NULL,               -- ticket | handoff
    ref INTEGER NOT NULL,             -- tickets.id or handoffs.id; no citizen id here
    asked_at TEXT NOT NULL,
    status TEXT NOT NULL,             -- asked | skipped (outside Zalo's free window)
    answer TEXT,                      -- satisfied | unsatisfied
    answered_at TEXT,
    PRIMARY KEY (kind, ref)
)
"""

H8_CONSOLE = """
CREATE TABLE console_accounts (       -- people who sign in to the web console (not citizens: see `users`)
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,               -- admin | officer | staff
    password_hash TEXT NOT NULL,      -- scrypt$n$r$p$salt$hash
    enabled INTEGER NOT NULL DEFAULT 1,
    session_epoch INTEGER NOT NULL DEFAULT 0,  -- bumped on password, role or enabled change: old sessions end
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE console_audit (          -- who did what in the console (and `users` commands), when
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX console_audit_at ON console_audit (at);
CREATE TABLE console_login_failures ( -- failed sign-ins, per account name and per address, for throttling
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX console_login_failures_key ON console_login_failures (key, at);
CREATE TABLE console_settings (       -- e.g. the generated session secret when BOT_CONSOLE_SECRET is unset
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"""

# answer_log.chosen = 1: the citizen tapped the entry among the bot's choices (a suggestion, a
# related entry, a topic menu): it answers a question already counted, not a new one.
ANSWER_CHOSEN = """
ALTER TABLE answer_log ADD COLUMN chosen INTEGER NOT NULL DEFAULT 0
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("001_core", CORE),
    ("025_audience", AUDIENCE),
    ("040_conversations", CONVERSATIONS),
    ("030_campaigns", CAMPAIGNS),
    ("020_unanswered", UNANSWERED),
    ("h2_forgotten", H2_FORGOTTEN),
    ("h7_reports", H7_REPORTS),
    ("h8_console", H8_CONSOLE),
    ("050_answer_chosen", ANSWER_CHOSEN),
]
