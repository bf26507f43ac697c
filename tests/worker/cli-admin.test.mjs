//! `tsunagu admin …` (the operator CLI, built into build/bin by `cargo xtask build`) against the worker: create a tenant with no SQL, sign in with its embed secret, import customers from a Shift_JIS CSV (dry run first), create an API key, rotate a secret, list webhook failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startHarness } from '../support/harness.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { ROOT } from '../support/paths.mjs';
import { encodeShiftJis } from '../support/shift-jis.mjs';

const CLI = path.join(ROOT, 'build', 'bin', 'tsunagu');

let edge;
let dir;
before(async () => {
  edge = await startHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsunagu-cli-'));
});
after(async () => {
  await edge?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `tsunagu admin <args>` with `env`; resolves { code, stdout, stderr, json }. */
function admin(args, env = {}) {
  return new Promise((resolve) => {
    execFile(CLI, ['admin', '--url', String(edge.url).replace(/\/$/, ''), ...args], { env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => {
        let json = null;
        try { json = JSON.parse(stdout); } catch { /* not JSON */ }
        resolve({ code: error ? error.code : 0, stdout, stderr, json });
      });
  });
}

const OPERATOR = { TSUNAGU_OPERATOR_KEY: DEV_VARS.OPERATOR_KEY };
const createAcme = (env = OPERATOR) => admin(['tenant', 'create', '--id', 'acme-cli', '--name-ja', 'アクメ株式会社',
  '--name-en', 'Acme K.K.', '--origin', 'https://crm.acme.example', '--twilio-account-sid', `AC${'0a'.repeat(16)}`], env);

test('the CLI onboards a tenant without SQL: tenant, embed sign-in, CSV import, API key, secret rotation, webhook failures', async () => {
  // The operator key is required, and the wrong one is refused.
  const wrong = await createAcme({ TSUNAGU_OPERATOR_KEY: 'not-the-operator-key' });
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(wrong.stderr, /HTTP 401/);

  const created = await createAcme();
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.json.tenant, 'acme-cli');
  assert.match(created.json.api_key.key, /^tsk_/);
  assert.ok(created.json.embed_secret.length >= 40, 'a fresh 32-byte secret');
  const row = await edge.env.DB.prepare("SELECT name_ja, allowed_origins, twilio_account_sid FROM tenants WHERE id = 'acme-cli'").first();
  assert.deepEqual(row, { name_ja: 'アクメ株式会社', allowed_origins: 'https://crm.acme.example', twilio_account_sid: `AC${'0a'.repeat(16)}` });
  const sealed = await edge.env.DB.prepare("SELECT ciphertext FROM tenant_secrets WHERE tenant_id = 'acme-cli' AND name = 'embed_secret'").first('ciphertext');
  assert.ok(sealed && !sealed.includes(created.json.embed_secret), 'the embed secret is stored sealed');
  const again = await createAcme();
  assert.equal(again.code, 1);
  assert.match(again.stderr, /id: .+ \/ .+/, 'the field error in Japanese and English');

  // The new tenant's own embed secret opens a session (sealed in D1, no Worker secret of its own).
  const token = embedToken({ tenant: 'acme-cli', agent: 'kimura', name: '木村', secret: created.json.embed_secret });
  const { session } = await openSession(edge.url, token);
  assert.ok(session);

  const key = { TSUNAGU_API_KEY: created.json.api_key.key };
  const header = '顧客ID,お客様名,会社名,電話番号\r\n';
  const good = 'a001,木村 健,木村商店,03-5555-0301\r\na002,斉藤 優,,090-5555-0302\r\n';
  const bad = 'a003,番号違い,,12345\r\n';
  const badFile = path.join(dir, 'bad.csv');
  await writeFile(badFile, encodeShiftJis(header + good + bad));
  const dry = await admin(['customers', 'import', '--file', badFile, '--dry-run'], key);
  assert.equal(dry.code, 1, 'a dry run with a bad row says no');
  assert.match(dry.stderr, /line 4 電話番号 \(phone\)/);
  assert.equal(dry.json.charset, 'shift_jis');
  const goodFile = path.join(dir, 'good.csv');
  await writeFile(goodFile, encodeShiftJis(header + good));
  const imported = await admin(['customers', 'import', '--file', goodFile], key);
  assert.equal(imported.code, 0, imported.stderr);
  assert.deepEqual(imported.json.created, ['a001', 'a002']);
  const stored = await edge.env.DB.prepare("SELECT id, name FROM customers WHERE tenant_id = 'acme-cli' ORDER BY id").all();
  assert.deepEqual(stored.results.map((r) => `${r.id} ${r.name}`), ['a001 木村 健', 'a002 斉藤 優']);

  const apiKey = await admin(['api-key', 'create', '--name', 'CRM backend', '--scope', 'conversations:read'], key);
  assert.equal(apiKey.code, 0, apiKey.stderr);
  const read = await fetch(new URL('/api/conversations', edge.url), { headers: { authorization: `Bearer ${apiKey.json.key}` } });
  assert.equal(read.status, 200, 'the new key reads the log');

  const first = await admin(['secret', 'set', '--name', 'twilio_auth_token', '--value-env', 'NEW_TOKEN'],
    { ...key, NEW_TOKEN: 'a'.repeat(32) });
  assert.equal(first.code, 0, first.stderr);
  const rotated = await admin(['secret', 'set', '--name', 'twilio_auth_token', '--value-env', 'NEW_TOKEN'],
    { ...key, NEW_TOKEN: 'b'.repeat(32) });
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.ok(!rotated.stdout.includes('b'.repeat(32)), 'a secret is never printed back');
  assert.ok(rotated.json.previous_valid_until_ms > Date.now(), JSON.stringify(rotated.json));

  const failures = await admin(['webhooks', 'failures'], key);
  assert.equal(failures.code, 0, failures.stderr);
  assert.deepEqual(failures.json, { failures: [] });

  // No operator key configured on a worker: the route does not exist.
  const noKey = await admin(['tenant', 'create', '--id', 'x', '--name-ja', 'x', '--name-en', 'x', '--origin', 'https://x.example'], {});
  assert.equal(noKey.code, 2, 'the CLI refuses to run without the key in the environment');
  assert.match(noKey.stderr, /TSUNAGU_OPERATOR_KEY/);
});
