-- Tenants, teams, agents and customers: the directory that routing and screen pop read.

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    name_ja         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    -- CSP frame-ancestors sources allowed to embed the widget, space-separated ('self' https://crm.example.jp).
    allowed_origins TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE teams (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id        TEXT NOT NULL,
    name_ja   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE agents (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    id           TEXT NOT NULL,
    display_name TEXT NOT NULL,
    team_id      TEXT,
    -- Space-separated roles: agent, supervisor, admin.
    roles        TEXT NOT NULL DEFAULT 'agent',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams(tenant_id, id)
) STRICT;

CREATE TABLE customers (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    id             TEXT NOT NULL,
    name           TEXT NOT NULL,
    company        TEXT NOT NULL DEFAULT '',
    phone_e164     TEXT NOT NULL,
    owner_agent_id TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_agent_id) REFERENCES agents(tenant_id, id)
) STRICT;

-- Caller lookup on every inbound call: phone → customer.
CREATE INDEX customers_by_phone ON customers (tenant_id, phone_e164);
