-- Named queues (issue 14 item 3, issue 13 item 1): each with its own ladder, longest wait, overflow,
-- position announcements, hold music and callback key; a line may send its calls to one, and may
-- say what happens after hours. Written only through `/api/admin/queues` and
-- `/api/admin/phone-lines`, which validate them (`tsunagu_center::CenterConfig::validate`).
CREATE TABLE queues (
    tenant_id          TEXT    NOT NULL REFERENCES tenants(id),
    id                 TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 32),
    name_ja            TEXT    NOT NULL,
    name_en            TEXT    NOT NULL,
    -- The queue's own ladder (`tsunagu_routing::Ladder` as JSON); NULL rings by the tenant's.
    ladder_json        TEXT,
    -- NULL waits the tenant's `max_wait`.
    max_wait_ms        INTEGER CHECK (max_wait_ms IS NULL OR max_wait_ms BETWEEN 1000 AND 3600000),
    -- `tsunagu_center::Overflow` as JSON: `{"action": "tenant_fallback" | "keep_waiting" |
    -- "forward" | "voicemail" | "queue", …}`.
    overflow_json      TEXT    NOT NULL DEFAULT '{"action":"tenant_fallback"}',
    announce_position  INTEGER NOT NULL DEFAULT 1 CHECK (announce_position IN (0, 1)),
    -- https; NULL plays the bundled tune.
    hold_music_url     TEXT,
    -- One of 0-9 * #; NULL offers no callback.
    callback_digit     TEXT    CHECK (callback_digit IS NULL OR length(callback_digit) = 1),
    -- Skills (each with its lowest level) its callers need, and their priority, joined to the
    -- line's and the IVR menu's (the higher wins).
    required_skills_json TEXT  NOT NULL DEFAULT '{}',
    priority           INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),
    -- The queue's own business hours (the routing settings' `hours` shape) and what it does
    -- while closed (`tsunagu_center::AfterHours`); NULL: its line's.
    hours_json         TEXT,
    after_hours_json   TEXT,
    PRIMARY KEY (tenant_id, id)
);

-- The queue a line's calls wait in (NULL: the tenant's ladder and wait), and what the line does
-- after hours (`tsunagu_center::AfterHours` as JSON; NULL: the tenant's fallback numbers, else the
-- closed announcement).
ALTER TABLE phone_lines ADD COLUMN queue_id TEXT;
ALTER TABLE phone_lines ADD COLUMN after_hours_json TEXT;
