-- The tenant's contact-center settings as typed columns (issue 13 item 1: "`routing_json` is
-- migrated away"). Until now they were one hand-written JSON object, `tenants.routing_json`, any
-- subset of `tsunagu_center::CenterConfig`'s fields. Each field now has a column of its own: numbers
-- and switches as INTEGER, the structured ones (the ladder's steps, the business calendar, the
-- fallback numbers, the dial policy, the presence policy) as the JSON of their one type, as the
-- `queues` and `phone_lines` tables keep theirs. NULL means the center's default. Written only
-- through `PUT /api/admin/routing` and `PUT /api/admin/calling` (and the operator CLI through them),
-- which validate every field and then the whole configuration (`CenterConfig::validate`); read by
-- `store::tenant` and `tenant_config` (worker/src/store/center_settings.rs names the columns).

-- Whom a call rings: the steps of `tsunagu_routing::Ladder` (a JSON array).
ALTER TABLE tenants ADD COLUMN ladder_json TEXT CHECK (ladder_json IS NULL OR json_type(ladder_json) = 'array');
-- Presence timers and statuses: `tsunagu_presence::PresencePolicy` (a JSON object, any subset).
ALTER TABLE tenants ADD COLUMN presence_policy_json TEXT
    CHECK (presence_policy_json IS NULL OR json_type(presence_policy_json) = 'object');
-- When calls are answered: `tsunagu_center::BusinessCalendar` (as `phone_lines.hours_json`).
ALTER TABLE tenants ADD COLUMN hours_json TEXT CHECK (hours_json IS NULL OR json_type(hours_json) = 'object');
-- How long a caller may wait before the fallback numbers.
ALTER TABLE tenants ADD COLUMN max_wait_ms INTEGER CHECK (max_wait_ms IS NULL OR max_wait_ms >= 0);
-- Backup phones dialled after hours and past `max_wait_ms`: a JSON array of numbers.
ALTER TABLE tenants ADD COLUMN fallback_numbers_json TEXT
    CHECK (fallback_numbers_json IS NULL OR json_type(fallback_numbers_json) = 'array');
-- How often coalesced presence changes go out.
ALTER TABLE tenants ADD COLUMN broadcast_interval_ms INTEGER CHECK (broadcast_interval_ms IS NULL OR broadcast_interval_ms >= 0);
-- How long a call may stay without any callback before the center ends it.
ALTER TABLE tenants ADD COLUMN call_watchdog_ms INTEGER CHECK (call_watchdog_ms IS NULL OR call_watchdog_ms >= 0);
-- Which numbers agents may dial: `tsunagu_phone::DialPolicy` (a JSON object, any subset).
ALTER TABLE tenants ADD COLUMN dial_policy_json TEXT
    CHECK (dial_policy_json IS NULL OR json_type(dial_policy_json) = 'object');
-- Whether `Tsunagu.dial()` from the CRM page dials without the agent's click.
ALTER TABLE tenants ADD COLUMN direct_dial_from_host INTEGER CHECK (direct_dial_from_host IS NULL OR direct_dial_from_host IN (0, 1));
-- Web calls (the click-to-call button on the tenant's site) and their limits.
ALTER TABLE tenants ADD COLUMN web_calls_enabled INTEGER CHECK (web_calls_enabled IS NULL OR web_calls_enabled IN (0, 1));
ALTER TABLE tenants ADD COLUMN max_web_calls INTEGER CHECK (max_web_calls IS NULL OR max_web_calls >= 0);
ALTER TABLE tenants ADD COLUMN max_web_calls_per_address INTEGER
    CHECK (max_web_calls_per_address IS NULL OR max_web_calls_per_address >= 0);
ALTER TABLE tenants ADD COLUMN web_call_start_within_ms INTEGER
    CHECK (web_call_start_within_ms IS NULL OR web_call_start_within_ms >= 0);
ALTER TABLE tenants ADD COLUMN max_web_queue_wait_ms INTEGER CHECK (max_web_queue_wait_ms IS NULL OR max_web_queue_wait_ms >= 0);
ALTER TABLE tenants ADD COLUMN max_web_call_length_ms INTEGER CHECK (max_web_call_length_ms IS NULL OR max_web_call_length_ms >= 0);
-- The Cloudflare Turnstile site key web calls are checked with (its secret is a tenant secret).
ALTER TABLE tenants ADD COLUMN turnstile_site_key TEXT;

-- Every tenant's settings, field by field, from the JSON they were kept in. A field the JSON does
-- not have stays NULL (the default, as before); JSON booleans arrive as 1/0.
UPDATE tenants SET
    ladder_json               = json_extract(routing_json, '$.ladder.steps'),
    presence_policy_json      = json_extract(routing_json, '$.presence'),
    hours_json                = json_extract(routing_json, '$.hours'),
    max_wait_ms               = json_extract(routing_json, '$.max_wait'),
    fallback_numbers_json     = json_extract(routing_json, '$.fallback_numbers'),
    broadcast_interval_ms     = json_extract(routing_json, '$.broadcast_interval'),
    call_watchdog_ms          = json_extract(routing_json, '$.call_watchdog'),
    dial_policy_json          = json_extract(routing_json, '$.dial_policy'),
    direct_dial_from_host     = json_extract(routing_json, '$.direct_dial_from_host'),
    web_calls_enabled         = json_extract(routing_json, '$.web_calls_enabled'),
    max_web_calls             = json_extract(routing_json, '$.max_web_calls'),
    max_web_calls_per_address = json_extract(routing_json, '$.max_web_calls_per_address'),
    web_call_start_within_ms  = json_extract(routing_json, '$.web_call_start_within'),
    max_web_queue_wait_ms     = json_extract(routing_json, '$.max_web_queue_wait'),
    max_web_call_length_ms    = json_extract(routing_json, '$.max_web_call_length'),
    turnstile_site_key        = json_extract(routing_json, '$.turnstile_site_key')
WHERE json_valid(routing_json);

ALTER TABLE tenants DROP COLUMN routing_json;
