-- Tenant secrets in D1, sealed (AES-256-GCM under a master key of TSUNAGU_MASTER_KEYS, see README
-- "Security" → "Tenant secrets"): set through PUT /api/admin/secrets/<name>, never stored in plain.
-- The tenant, the name and the key id are the ciphertext's associated data, so a row copied to
-- another tenant or name does not open. Nonces and ciphertexts are standard base64.
CREATE TABLE tenant_secrets (
    tenant_id               TEXT    NOT NULL REFERENCES tenants(id),
    name                    TEXT    NOT NULL CHECK (name IN
        ('embed_secret', 'twilio_auth_token', 'twilio_api_key_secret', 'turnstile_secret')),
    -- Which master key sealed the value (its id in TSUNAGU_MASTER_KEYS).
    key_id                  TEXT    NOT NULL,
    nonce                   TEXT    NOT NULL,
    ciphertext              TEXT    NOT NULL,
    updated_at_ms           INTEGER NOT NULL,
    -- The value the current one replaced, still valid until previous_valid_until_ms (embed secret
    -- and Twilio auth token only; the other secrets switch at once and keep these NULL).
    previous_key_id         TEXT,
    previous_nonce          TEXT,
    previous_ciphertext     TEXT,
    previous_valid_until_ms INTEGER,
    PRIMARY KEY (tenant_id, name),
    CHECK ((previous_key_id IS NULL) = (previous_ciphertext IS NULL)
       AND (previous_key_id IS NULL) = (previous_nonce IS NULL)
       AND (previous_key_id IS NULL) = (previous_valid_until_ms IS NULL))
) STRICT;
