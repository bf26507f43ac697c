//! A tenant's contact-center settings in D1 for tests: one typed column of `tenants` per
//! `CenterConfig` field (migration 0017, as worker/src/store/center_settings.rs names them). For the
//! set-ups the admin API does not cover (timers, web-call limits below its bounds) or must not allow
//! (a configuration the center refuses, to see it refused at use); everything else goes through
//! `/api/admin/*`.

/** `CenterConfig` field → [column, how it is kept]. */
const COLUMNS = {
  ladder: ['ladder_json', 'steps'],
  presence: ['presence_policy_json', 'json'],
  hours: ['hours_json', 'json'],
  max_wait: ['max_wait_ms', 'integer'],
  fallback_numbers: ['fallback_numbers_json', 'json'],
  broadcast_interval: ['broadcast_interval_ms', 'integer'],
  call_watchdog: ['call_watchdog_ms', 'integer'],
  dial_policy: ['dial_policy_json', 'json'],
  direct_dial_from_host: ['direct_dial_from_host', 'switch'],
  web_calls_enabled: ['web_calls_enabled', 'switch'],
  max_web_calls: ['max_web_calls', 'integer'],
  max_web_calls_per_address: ['max_web_calls_per_address', 'integer'],
  web_call_start_within: ['web_call_start_within_ms', 'integer'],
  max_web_queue_wait: ['max_web_queue_wait_ms', 'integer'],
  max_web_call_length: ['max_web_call_length_ms', 'integer'],
  turnstile_site_key: ['turnstile_site_key', 'text'],
};

const quoted = (text) => `'${String(text).replaceAll("'", "''")}'`;

function literal(value, kind) {
  if (value === undefined || value === null) return 'NULL';
  switch (kind) {
    case 'steps': return quoted(JSON.stringify(value.steps ?? value));
    case 'json': return quoted(JSON.stringify(value));
    case 'switch': return value ? '1' : '0';
    case 'integer': return String(Math.trunc(Number(value)));
    default: return quoted(value);
  }
}

/**
 * The SQL that makes `settings` (an object of `CenterConfig` fields, e.g. `{ max_wait: 2000,
 * fallback_numbers: ['+819012340000'] }`; `ladder` as `{ steps }` or the steps) the tenant's
 * whole settings: every field it lacks goes back to the center's default (NULL).
 */
export function centerSettingsSql(tenant, settings) {
  for (const field of Object.keys(settings)) {
    if (!(field in COLUMNS)) throw new Error(`no column for the center setting ${field}`);
  }
  const sets = Object.entries(COLUMNS).map(([field, [column, kind]]) => `${column} = ${literal(settings[field], kind)}`);
  return `UPDATE tenants SET ${sets.join(', ')} WHERE id = ${quoted(tenant)}`;
}

/** Makes `settings` the tenant's whole settings (see `centerSettingsSql`) through a D1 binding. */
export async function setCenterSettings(db, tenant, settings) {
  await db.prepare(centerSettingsSql(tenant, settings)).run();
}

/** The tenant's stored settings as `setCenterSettings` takes them (defaults absent): to restore. */
export async function readCenterSettings(db, tenant) {
  const row = await db.prepare('SELECT * FROM tenants WHERE id = ?').bind(tenant).first();
  const settings = {};
  for (const [field, [column, kind]] of Object.entries(COLUMNS)) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    if (kind === 'steps') settings[field] = { steps: JSON.parse(value) };
    else if (kind === 'json') settings[field] = JSON.parse(value);
    else if (kind === 'switch') settings[field] = value === 1;
    else settings[field] = value;
  }
  return settings;
}
