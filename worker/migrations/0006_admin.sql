-- The admin API: agents' skills and per-channel capacity, API keys for machines, and an index for
-- the customer search.

-- Skill name → level (1..5), as JSON; written only through the admin API, which validates it.
ALTER TABLE agents ADD COLUMN skills_json   TEXT NOT NULL DEFAULT '{}';
-- Contacts per channel at once: {"voice": 0|1, "chat": 0..10}.
ALTER TABLE agents ADD COLUMN capacity_json TEXT NOT NULL DEFAULT '{"voice":1,"chat":0}';

-- API keys: only the SHA-256 of the secret is stored; the plain key was shown once, at creation.
-- A key names its tenant and id (tsk_<tenant>_<id>_<secret>), so a request reads one row.
CREATE TABLE api_keys (
    tenant_id       TEXT    NOT NULL REFERENCES tenants(id),
    id              TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    -- Space-separated scopes: conversations:read, directory:read, directory:write, admin.
    scopes          TEXT    NOT NULL,
    secret_sha256   TEXT    NOT NULL,
    -- Who created it: an agent id, or key:<id> for a key created with another key.
    created_by      TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    -- Written at most once a minute per key, not on every request.
    last_used_at_ms INTEGER,
    revoked_at_ms   INTEGER,
    PRIMARY KEY (tenant_id, id)
) STRICT;

-- The admin customer search: name prefixes, then pages by id.
CREATE INDEX customers_by_name ON customers (tenant_id, name);
