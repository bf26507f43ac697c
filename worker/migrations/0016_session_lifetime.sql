-- How long a widget session lasts in this tenant (issue 13 item 1, tenant settings): 30 min to the
-- eight hours sessions may last at most (`tsunagu_auth::SESSION_TTL_SECS`); shared PCs at a
-- reception desk want shorter. Written through `PUT /api/admin/settings`.
ALTER TABLE tenants ADD COLUMN session_lifetime_secs INTEGER NOT NULL DEFAULT 28800
    CHECK (session_lifetime_secs BETWEEN 1800 AND 28800);
