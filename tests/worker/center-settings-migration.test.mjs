//! Migration 0017 on workerd's D1: a tenant whose settings were the old `routing_json` object keeps
//! every one of them, field by field in its typed column, and the contact center reads them back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startHarness } from '../support/harness.mjs';
import { ROOT } from '../support/paths.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

const MIGRATIONS = path.join(ROOT, 'worker', 'migrations');
const THE_MIGRATION = '0017_center_settings.sql';

/** Everything a tenant could have written into `routing_json` before 0017. */
const OLD_SETTINGS = {
  ladder: { steps: [{ target: { team: 'support' }, timeout: 20000 }, { target: 'anyone', timeout: 30000 }] },
  presence: { disconnect_grace: 4000, status_on_login: { away: 'other' }, wrap_up: 45000 },
  hours: { time_zone: 'Asia/Tokyo', weekly: [{ day: 'mon', open: '09:00', close: '18:00' }], closed_on_national_holidays: true },
  max_wait: 90000,
  fallback_numbers: ['+819012340000'],
  broadcast_interval: 250,
  call_watchdog: 7200000,
  dial_policy: { allowed_countries: [44], max_calls_per_agent: 40 },
  direct_dial_from_host: true,
  web_calls_enabled: false,
  max_web_calls: 3,
  max_web_calls_per_address: 1,
  web_call_start_within: 8000,
  max_web_queue_wait: 120000,
  max_web_call_length: 1800000,
  turnstile_site_key: '1x00000000000000000000AA',
};

let edge;
let migrationsDir;
let configPath;
before(async () => {
  // The project's configuration, with its migrations read from a folder that holds 0001–0016 only.
  migrationsDir = await mkdtemp(path.join(os.tmpdir(), 'tsunagu-migrations-'));
  for (const name of await readdir(MIGRATIONS)) {
    if (name.endsWith('.sql') && name < THE_MIGRATION) await copyFile(path.join(MIGRATIONS, name), path.join(migrationsDir, name));
  }
  const config = (await readFile(path.join(ROOT, 'wrangler.toml'), 'utf8'))
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(migrationsDir)}`);
  assert.match(config, new RegExp(migrationsDir.replaceAll('/', '\\/')), 'the copy reads the partial folder');
  configPath = path.join(ROOT, `wrangler.migration-test-${process.pid}.toml`);
  await writeFile(configPath, config);
  // Migrated up to 0016, nothing seeded: the schema a deployed tenant had before 0017.
  edge = await startHarness({ seed: false, configPath: `./${path.basename(configPath)}` });
});
after(async () => {
  await edge?.close();
  if (configPath) await rm(configPath, { force: true });
  if (migrationsDir) await rm(migrationsDir, { recursive: true, force: true });
});

test('0017 moves every routing_json field into its own column and drops the old one', async () => {
  const db = edge.env.DB;
  await db.batch([
    db.prepare("INSERT INTO tenants (id, name_ja, name_en, allowed_origins, routing_json) VALUES ('old', '旧', 'Old', '', ?)")
      .bind(JSON.stringify(OLD_SETTINGS)),
    // A tenant that never set anything keeps every default.
    db.prepare("INSERT INTO tenants (id, name_ja, name_en, allowed_origins) VALUES ('plain', '無地', 'Plain', '')"),
  ]);

  await copyFile(path.join(MIGRATIONS, THE_MIGRATION), path.join(migrationsDir, THE_MIGRATION));
  await edge.worker.applyD1Migrations('DB');

  const columns = (await db.prepare('PRAGMA table_info(tenants)').all()).results.map((c) => c.name);
  assert.ok(!columns.includes('routing_json'), 'routing_json is gone');
  const old = await db.prepare("SELECT * FROM tenants WHERE id = 'old'").first();
  assert.deepEqual(JSON.parse(old.ladder_json), OLD_SETTINGS.ladder.steps);
  assert.deepEqual(JSON.parse(old.presence_policy_json), OLD_SETTINGS.presence);
  assert.deepEqual(JSON.parse(old.hours_json), OLD_SETTINGS.hours);
  assert.deepEqual(JSON.parse(old.fallback_numbers_json), OLD_SETTINGS.fallback_numbers);
  assert.deepEqual(JSON.parse(old.dial_policy_json), OLD_SETTINGS.dial_policy);
  assert.deepEqual(
    [old.max_wait_ms, old.broadcast_interval_ms, old.call_watchdog_ms, old.direct_dial_from_host, old.web_calls_enabled,
      old.max_web_calls, old.max_web_calls_per_address, old.web_call_start_within_ms, old.max_web_queue_wait_ms,
      old.max_web_call_length_ms, old.turnstile_site_key],
    [90000, 250, 7200000, 1, 0, 3, 1, 8000, 120000, 1800000, '1x00000000000000000000AA'],
  );
  const plain = await db.prepare("SELECT * FROM tenants WHERE id = 'plain'").first();
  for (const column of ['ladder_json', 'hours_json', 'max_wait_ms', 'dial_policy_json', 'web_calls_enabled', 'turnstile_site_key']) {
    assert.equal(plain[column], null, `${column} stays the default`);
  }
});

test('the contact center reads the migrated settings: the admin API shows them, the session honours them', async () => {
  const db = edge.env.DB;
  const { url } = edge;
  // The demo tenant as the seed writes it now, then given the migrated tenant's settings.
  await db.prepare("INSERT OR REPLACE INTO tenants (id, name_ja, name_en, allowed_origins) VALUES ('demo', 'デモ商事', 'Demo Co.', '')").run();
  await db.prepare(`UPDATE tenants SET (ladder_json, presence_policy_json, hours_json, max_wait_ms, fallback_numbers_json,
      dial_policy_json, direct_dial_from_host, web_calls_enabled)
      = (SELECT ladder_json, presence_policy_json, hours_json, max_wait_ms, fallback_numbers_json, dial_policy_json,
         direct_dial_from_host, web_calls_enabled FROM tenants WHERE id = 'old') WHERE id = 'demo'`).run();
  const admin = await openSession(url, embedToken({ agent: 'migration_admin', name: 'Admin', roles: ['admin'] }));
  const get = async (route) => {
    const res = await fetch(new URL(route, url), { headers: { authorization: `Bearer ${admin.session}` } });
    assert.equal(res.status, 200, route);
    return res.json();
  };
  const routing = await get('/api/admin/routing');
  assert.deepEqual(routing.ladder, OLD_SETTINGS.ladder.steps);
  assert.equal(routing.max_wait, 90000);
  assert.deepEqual(routing.fallback_numbers, OLD_SETTINGS.fallback_numbers);
  assert.deepEqual(routing.hours.weekly, OLD_SETTINGS.hours.weekly);
  assert.equal(routing.web_calls_enabled, false);
  const calling = await get('/api/admin/calling');
  assert.equal(calling.direct_dial_from_host, true);
  assert.equal(calling.sign_in_status, 'away');
  assert.equal(calling.wrap_up_secs, 45);
  assert.deepEqual(calling.dial_policy.allowed_countries, [44]);
  assert.equal(calling.dial_policy.max_calls_per_agent, 40);
  assert.equal(admin.direct_dial_from_host, true, 'the session reply reads the switch');
});
