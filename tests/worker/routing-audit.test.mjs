//! The routing audit and the dry run: every decision is kept with its conversation (for supervisors and admins, in Japanese and English), and a dry run says what a call would do without ringing anyone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook, sid } from '../support/twilio.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000a11';
const MAIN_LINE = '+815012345678';
const YAMADA = '+81355550101'; // c001, owned by sato (sales)

let edge;
before(async () => { edge = await startHarness(); });
after(async () => { await edge?.close(); });

async function signIn(agent, team) {
  const { session } = await openSession(edge.url, embedToken({ agent, team }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  return client;
}

/** `method path` as `who` (roles), JSON in and out. */
async function as(roles, method, path, body) {
  const { session } = await openSession(edge.url, embedToken({ agent: `audit_${roles.join('_')}`, team: 'sales', roles }));
  const res = await fetch(new URL(path, edge.url), {
    method,
    headers: { authorization: `Bearer ${session}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

async function count(table) {
  return (await edge.env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = 'demo'`).first()).n;
}

test('a dry run says where a call would go and why, rings nobody and writes nothing; the real call goes there and keeps its explanation for supervisors', async () => {
  const sato = await signIn('sato', 'sales');
  const suzuki = await signIn('suzuki', 'sales');
  try {
    sato.send({ type: 'set_status', status: { kind: 'away', reason: 'lunch' } });
    await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'sato away');

    // A plain agent may not ask.
    assert.equal((await as(['agent'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101' })).status, 403);

    const conversationsBefore = await count('conversations');
    const eventsBefore = await count('call_events');
    const dry = await as(['supervisor'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101' });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.equal(dry.body.plan, 'ring');
    assert.equal(dry.body.plan_detail.agent, 'suzuki');
    assert.equal(dry.body.customer, 'c001');
    assert.equal(dry.body.decisions.length, 1);
    const [decision] = dry.body.decisions;
    assert.equal(decision.explanation.conclusion.kind, 'offer');
    assert.equal(decision.explanation.conclusion.agent, 'suzuki');
    // Step 1 (the owner) skipped sato for being away; step 2 (the owner's team) chose suzuki.
    assert.match(decision.ja, /手順 1（担当者 sato）: 対応できる人なし — 見送り: 【離席（昼食）】sato/);
    assert.match(decision.ja, /手順 2（担当者のチーム sales、\d+ 名）: suzuki を選択/);
    assert.match(decision.en, /Step 2 \(owner's team sales, \d+ agents\): chose suzuki/);
    // Nobody rang, nothing was written.
    assert.equal(await count('conversations'), conversationsBefore);
    assert.equal(await count('call_events'), eventsBefore);
    assert.ok(!suzuki.messages.some((m) => m.type === 'offer'), 'suzuki was not offered anything');
    const status = await as(['supervisor'], 'GET', '/api/admin/hub-storage');
    assert.equal(status.status, 403, 'hub storage stays admin-only');

    // The real call does what the dry run said.
    const callSid = sid();
    const params = inboundCallParams({ callSid, from: YAMADA, to: MAIN_LINE, accountSid: ACCOUNT });
    const res = await postWebhook(new URL('/twilio/voice/demo/incoming', edge.url).href, params, { authToken: AUTH_TOKEN });
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    assert.match(xml, new RegExp(`<Identity>${clientIdentity('demo', 'suzuki')}</Identity>`));
    await suzuki.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the offer');

    // Its conversation keeps the decision (written from the hub's outbox, after the answer).
    let stored;
    const until = Date.now() + 10_000;
    for (;;) {
      stored = await as(['supervisor'], 'GET', `/api/conversations/${callSid}`);
      if (stored.status === 200 && stored.body.routing?.length) break;
      assert.ok(Date.now() < until, `the routing audit never reached the conversation: ${JSON.stringify(stored)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [real] = stored.body.routing;
    assert.deepEqual(real.explanation.conclusion.agent, decision.explanation.conclusion.agent, 'the dry run agrees with the real decision');
    assert.deepEqual(real.explanation.steps, decision.explanation.steps.map((step) => step), 'step by step');
    assert.match(real.ja, /suzuki を選択/);
    assert.equal(typeof real.en, 'string');

    // An agent reading the same conversation (sato owns the customer) does not see the audit.
    const agentView = await as(['agent'], 'GET', `/api/conversations/${callSid}`);
    assert.equal(agentView.status, 404, 'a colleague outside the conversation does not read it at all');
    const { session } = await openSession(edge.url, embedToken({ agent: 'sato', team: 'sales' }));
    const owner = await fetch(new URL(`/api/conversations/${callSid}`, edge.url), { headers: { authorization: `Bearer ${session}` } });
    const ownerView = await owner.json();
    assert.equal(owner.status, 200, JSON.stringify(ownerView));
    assert.equal(ownerView.routing, undefined, 'agents do not read the routing audit');

    // The caller hangs up, so the next test starts with no call waiting for an agent.
    const hungUp = await postWebhook(new URL('/twilio/voice/demo/status', edge.url).href, {
      AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'completed', Direction: 'inbound',
      From: YAMADA, To: MAIN_LINE, SequenceNumber: '1', CallDuration: '5',
    }, { authToken: AUTH_TOKEN });
    assert.equal(hungUp.status, 200);
  } finally {
    for (const client of [sato, suzuki]) {
      client.send({ type: 'set_status', status: { kind: 'offline' } });
      await client.close();
    }
  }
});

test('a dry run checks its input', async () => {
  assert.equal((await as(['admin'], 'POST', '/api/routing/dry-run', { from: 'x'.repeat(65) })).status, 400);
  assert.equal((await as(['admin'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101', to: 'not a number' })).status, 400);
  const farAhead = Date.now() + 400 * 24 * 60 * 60 * 1000;
  assert.equal((await as(['admin'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101', at: farAhead })).status, 400);
  assert.equal((await as(['admin'], 'POST', '/api/routing/dry-run', { nope: true })).status, 400);
});

test('a dry run previews a routing change against the live roster before it is saved, and saves nothing', async () => {
  const sato = await signIn('sato', 'sales');
  const tanaka = await signIn('tanaka', 'support');
  try {
    const saved = await as(['admin'], 'GET', '/api/admin/routing');
    assert.equal(saved.status, 200);
    const supportFirst = { ...saved.body, ladder: [{ target: { team: 'support' }, timeout: 20000 }] };
    const live = await as(['admin'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101' });
    assert.equal(live.body.plan_detail.agent, 'sato', 'the owner, by the saved ladder');
    const preview = await as(['admin'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101', routing: supportFirst });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.plan_detail.agent, 'tanaka', 'support first, by the previewed ladder');
    assert.match(preview.body.decisions[0].ja, /手順 1（チーム support、\d+ 名）: tanaka を選択/);
    // Nothing was saved: the stored settings and the next dry run are the saved ones.
    assert.deepEqual((await as(['admin'], 'GET', '/api/admin/routing')).body, saved.body);
    assert.equal((await as(['admin'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101' })).body.plan_detail.agent, 'sato');
    // A change the admin API would refuse is refused the same way, field by field.
    const bad = await as(['admin'], 'POST', '/api/routing/dry-run', { from: '03-5555-0101', routing: { ...saved.body, max_wait: -1 } });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
  } finally {
    for (const client of [sato, tanaka]) {
      client.send({ type: 'set_status', status: { kind: 'offline' } });
      await client.close();
    }
  }
});
