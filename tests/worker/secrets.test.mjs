//! No secret reaches a browser: everything the widget loads and every API reply is scanned for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';

let edge;
before(async () => { edge = await startHarness(); });
after(async () => { await edge?.close(); });

/** Every secret the worker holds, plus the tenant's Twilio account identifiers. */
const FORBIDDEN = [
  ...Object.entries(DEV_VARS).filter(([name]) => /SECRET|TOKEN|KEYS/.test(name)).map(([, value]) => value),
  'AC00000000000000000000000000000d30',
  'SK00000000000000000000000000000d30',
];

function assertClean(what, text) {
  for (const secret of FORBIDDEN) {
    assert.equal(text.includes(secret), false, `${what} contains a secret`);
  }
}

test('the widget page, the loader and every asset they reference contain no secret', async () => {
  const seen = new Set();
  const queue = ['/embed.js', '/widget?tenant=demo', '/demo'];
  while (queue.length) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await fetch(new URL(path, edge.url));
    assert.equal(res.status, 200, path);
    const text = await res.text();
    assertClean(path, text);
    // Hashed asset names, whether referenced as /assets/x.<hash>.js or relative to a script.
    for (const match of text.matchAll(/[A-Za-z0-9_-]+\.[0-9a-f]{12}\.(?:js|wasm|css)/g)) queue.push(`/assets/${match[0]}`);
  }
  assert.ok([...seen].some((p) => p.endsWith('.wasm')), `the scan reached the wasm: ${[...seen].join(', ')}`);
});

test('API replies contain no secret', async () => {
  const { session, ...rest } = await openSession(edge.url, embedToken({ agent: 'sato' }));
  assertClean('/api/session', JSON.stringify(rest) + session);
  const auth = { authorization: `Bearer ${session}` };
  for (const [method, path] of [['POST', '/api/token'], ['GET', '/api/conversations'], ['GET', '/api/kpi'], ['GET', '/api/tenants/demo'], ['GET', '/healthz']]) {
    const res = await fetch(new URL(path, edge.url), { method, headers: auth });
    assert.equal(res.status, 200, path);
    assertClean(path, await res.text());
  }
});
