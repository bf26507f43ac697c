-- Voice: per-tenant Twilio settings (never secrets), phone lines, the call-event log and its stitched
-- conversations, and presence intervals for KPIs.

-- Non-secret Twilio settings. Secrets (auth token, API key secret, embed secret) are Worker secrets
-- named TENANT_<ID>_…; see README "Secrets".
ALTER TABLE tenants ADD COLUMN twilio_account_sid   TEXT;
ALTER TABLE tenants ADD COLUMN twilio_api_key_sid   TEXT;
ALTER TABLE tenants ADD COLUMN twilio_twiml_app_sid TEXT;
-- Twilio edge the widget's Voice SDK connects through; Tokyo for Japanese agents.
ALTER TABLE tenants ADD COLUMN voice_edge           TEXT NOT NULL DEFAULT 'tokyo';
-- Routing policy as JSON (tsunagu_center::CenterConfig fields: ladder timeouts, max wait, fallback
-- numbers, business hours). '{}' means the defaults.
ALTER TABLE tenants ADD COLUMN routing_json         TEXT NOT NULL DEFAULT '{}';

-- The numbers customers call. A legacy line announces the new number before routing the call.
CREATE TABLE phone_lines (
    e164          TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    kind          TEXT NOT NULL CHECK (kind IN ('main', 'legacy')),
    announce_e164 TEXT
) STRICT;

-- Every call event exactly once: Twilio callbacks (retries collapse on event_key, which is the
-- stitcher's own event identity) and the contact center's own events.
CREATE TABLE call_events (
    tenant_id      TEXT    NOT NULL REFERENCES tenants(id),
    event_key      TEXT    NOT NULL,
    interaction_id TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    at_ms          INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, event_key)
) STRICT;
CREATE INDEX call_events_by_interaction ON call_events (tenant_id, interaction_id);

-- One row per stitched conversation, rewritten whenever one of its events arrives.
CREATE TABLE conversations (
    tenant_id       TEXT    NOT NULL REFERENCES tenants(id),
    id              TEXT    NOT NULL,
    customer_id     TEXT,
    customer_number TEXT,
    started_at_ms   INTEGER NOT NULL,
    ended_at_ms     INTEGER,
    answered_by     TEXT,
    outcome         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX conversations_by_time     ON conversations (tenant_id, started_at_ms);
CREATE INDEX conversations_by_number   ON conversations (tenant_id, customer_number, started_at_ms);
CREATE INDEX conversations_by_customer ON conversations (tenant_id, customer_id, started_at_ms);

-- Which agents took part in a conversation (offered, answered, transferred to): search by agent.
CREATE TABLE conversation_agents (
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, agent_id)
) STRICT;
CREATE INDEX conversation_agents_by_agent ON conversation_agents (tenant_id, agent_id);

-- Closed presence intervals (available, away, on call, wrap-up…) for occupancy and adherence.
CREATE TABLE presence_intervals (
    tenant_id TEXT    NOT NULL REFERENCES tenants(id),
    agent_id  TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    start_ms  INTEGER NOT NULL,
    end_ms    INTEGER NOT NULL,
    body      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, start_ms)
) STRICT;
