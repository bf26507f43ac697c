-- Live CRM lookup (issue 13 item 9): where calls ask the tenant's CRM who is calling, signed with
-- the tenant secret `crm_lookup_secret`. NULL: the directory alone. Written only through
-- `PUT /api/admin/settings`, which validates it (https, or http to 127.0.0.1/localhost).
ALTER TABLE tenants ADD COLUMN crm_lookup_url TEXT;

-- Its signing secret is a tenant secret like the others: `tenant_secrets.name` gains
-- 'crm_lookup_secret'. SQLite cannot change a CHECK in place, so the table is rebuilt (same
-- columns, same rows; nothing references it).
CREATE TABLE tenant_secrets_0012 (
    tenant_id               TEXT    NOT NULL REFERENCES tenants(id),
    name                    TEXT    NOT NULL CHECK (name IN
        ('embed_secret', 'twilio_auth_token', 'twilio_api_key_secret', 'turnstile_secret',
         'crm_lookup_secret')),
    key_id                  TEXT    NOT NULL,
    nonce                   TEXT    NOT NULL,
    ciphertext              TEXT    NOT NULL,
    updated_at_ms           INTEGER NOT NULL,
    previous_key_id         TEXT,
    previous_nonce          TEXT,
    previous_ciphertext     TEXT,
    previous_valid_until_ms INTEGER,
    PRIMARY KEY (tenant_id, name),
    CHECK ((previous_key_id IS NULL) = (previous_ciphertext IS NULL)
       AND (previous_key_id IS NULL) = (previous_nonce IS NULL)
       AND (previous_key_id IS NULL) = (previous_valid_until_ms IS NULL))
) STRICT;
INSERT INTO tenant_secrets_0012 SELECT * FROM tenant_secrets;
DROP TABLE tenant_secrets;
ALTER TABLE tenant_secrets_0012 RENAME TO tenant_secrets;
