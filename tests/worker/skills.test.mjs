//! Skills and priorities end to end: the admin API gives an agent a skill and a line a requirement, a call to that line rings the skilled agent (not the longest idle one), the dry run agrees, and the routing audit says why; the directory's skills reach a widget as it signs in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook, sid } from '../support/twilio.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000a11';
const STRANGER = '+81355559999'; // no CRM record: no owner, so the ladder's "anyone" step decides
const BILLING_LINE_SEED = '+815055550200'; // the seed's billing line (billing 1, priority 1)

let edge;
before(async () => { edge = await startHarness(); });
after(async () => { await edge?.close(); });

async function signIn(agent, team) {
  const { session } = await openSession(edge.url, embedToken({ agent, team }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  return client;
}

/** `method path` as a session with `roles`, JSON in and out. */
async function as(roles, method, path, body) {
  const { session } = await openSession(edge.url, embedToken({ agent: `skills_${roles.join('_')}`, team: 'sales', roles }));
  const res = await fetch(new URL(path, edge.url), {
    method,
    headers: { authorization: `Bearer ${session}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

async function call(callSid, to) {
  const params = inboundCallParams({ callSid, from: STRANGER, to, accountSid: ACCOUNT });
  const res = await postWebhook(new URL('/twilio/voice/demo/incoming', edge.url).href, params, { authToken: AUTH_TOKEN });
  const xml = await res.text();
  assert.equal(res.status, 200, xml);
  return xml;
}

async function hangUp(callSid, to) {
  const res = await postWebhook(new URL('/twilio/voice/demo/status', edge.url).href, {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'completed', Direction: 'inbound',
    From: STRANGER, To: to, SequenceNumber: '1', CallDuration: '5',
  }, { authToken: AUTH_TOKEN });
  assert.equal(res.status, 200);
}

/** The conversation's routing audit, once the hub's outbox has written it. */
async function audit(callSid) {
  const until = Date.now() + 10_000;
  for (;;) {
    const stored = await as(['admin'], 'GET', `/api/conversations/${callSid}`);
    if (stored.status === 200 && stored.body.routing?.length) return stored.body.routing;
    assert.ok(Date.now() < until, `the routing audit never reached the conversation: ${JSON.stringify(stored)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function signOut(clients) {
  for (const client of clients) {
    client.send({ type: 'set_status', status: { kind: 'offline' } });
    await client.close();
  }
}

test('a skill set through the admin API and a line requiring it: the call rings the skilled agent past a more idle one, as the dry run said, and the audit says why', async () => {
  // Sato signs in first, so he is the longest idle; suzuki has no billing yet (the seed gives
  // him english only).
  const sato = await signIn('sato', 'sales');
  const suzuki = await signIn('suzuki', 'sales');
  const callSid = sid();
  const line = '+81665550400';
  try {
    const agents = (await as(['admin'], 'GET', '/api/admin/agents')).body.agents;
    const seeded = agents.find((agent) => agent.id === 'suzuki');
    const { id: _, ...record } = seeded;
    const updated = await as(['admin'], 'PUT', '/api/admin/agents/suzuki', { ...record, skills: { ...record.skills, billing: 2 } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));

    const created = await as(['admin'], 'POST', '/api/admin/phone-lines', {
      number: '06-6555-0400', kind: 'main', required_skills: { billing: 2 }, priority: 2, skill_relax_after_secs: 90,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.required_skills, { billing: 2 });
    const refused = await as(['admin'], 'POST', '/api/admin/phone-lines', {
      number: '06-6555-0401', kind: 'main', required_skills: { billing: 7 }, priority: 12,
    });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.fields.map((f) => `${f.field} ${f.code}`), ['required_skills[0] not_in_range', 'priority not_in_range']);
    assert.ok(refused.body.fields.every((f) => f.message.ja && f.message.en), 'messages in Japanese and English');

    // The dry run takes the line's requirements into account.
    const dry = await as(['supervisor'], 'POST', '/api/routing/dry-run', { from: STRANGER, to: '06-6555-0400' });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.deepEqual(dry.body.requirements, { skills: { billing: 2 }, priority: 2, relax_after: 90000 });
    assert.equal(dry.body.plan_detail.agent, 'suzuki');
    assert.match(dry.body.decisions[0].ja, /【スキル billing がない】[^【]*sato/);

    // The real call rings suzuki (pushed his new skill while signed in), not sato.
    const xml = await call(callSid, line);
    assert.match(xml, new RegExp(`<Identity>${clientIdentity('demo', 'suzuki')}</Identity>`));
    const offer = await suzuki.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the offer');
    assert.deepEqual(offer.screen_pop.skills, [{ skill: 'billing', level: 2 }], 'the screen pop says what the caller needs');
    assert.ok(!sato.messages.some((m) => m.type === 'offer'), 'sato, more idle but without billing, is not offered it');

    const [decision] = await audit(callSid);
    assert.equal(decision.explanation.conclusion.agent, dry.body.decisions[0].explanation.conclusion.agent, 'the dry run agrees with the real decision');
    assert.deepEqual(decision.explanation.steps, dry.body.decisions[0].explanation.steps);
    assert.match(decision.ja, /必要なスキル: billing（レベル 2 以上）/);
    assert.match(decision.ja, /suzuki を選択/);
    assert.match(decision.en, /needs billing \(level 2\+\)/);
    assert.match(decision.en, /missing skill billing/);
  } finally {
    await hangUp(callSid, line);
    await signOut([sato, suzuki]);
  }
});

test("the directory's skills reach an agent as they sign in: the seed's billing line rings tanaka, not the more idle sato", async () => {
  const sato = await signIn('sato', 'sales');
  const tanaka = await signIn('tanaka', 'support');
  const callSid = sid();
  try {
    const xml = await call(callSid, BILLING_LINE_SEED);
    assert.match(xml, new RegExp(`<Identity>${clientIdentity('demo', 'tanaka')}</Identity>`));
    const [decision] = await audit(callSid);
    assert.match(decision.ja, /CA[0-9a-f]+ が電話で着信（優先度 1、必要なスキル: billing）/);
    assert.match(decision.ja, /tanaka を選択/);
  } finally {
    await hangUp(callSid, BILLING_LINE_SEED);
    await signOut([sato, tanaka]);
  }
});

test('a call nobody skilled can take waits, and when its skills relax the hub routes it again by itself: the free agent without the skill is offered it, and the audit says why', async () => {
  const sato = await signIn('sato', 'sales');
  const callSid = sid();
  const line = '+81665550500';
  try {
    const created = await as(['admin'], 'POST', '/api/admin/phone-lines', {
      number: '06-6555-0500', kind: 'main', required_skills: { legal: 3 }, skill_relax_after_secs: 1,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const xml = await call(callSid, line);
    assert.match(xml, /<Enqueue/, 'nobody has legal: the call waits');
    // No webhook comes meanwhile: the hub's alarm (the center's poll_timeout) routes it again.
    await sato.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the offer after the relaxation', 0, 10_000);
    const until = Date.now() + 10_000;
    let routing;
    for (;;) {
      routing = await audit(callSid);
      if (routing.length >= 2) break;
      assert.ok(Date.now() < until, `one decision only: ${JSON.stringify(routing)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [arrived, relaxed] = routing;
    assert.equal(arrived.explanation.conclusion.kind, 'queued');
    assert.equal(relaxed.explanation.trigger.kind, 'skills_relaxed');
    assert.deepEqual(relaxed.explanation.relaxed, ['legal']);
    assert.equal(relaxed.explanation.conclusion.agent, 'sato');
    assert.match(relaxed.ja, /スキル条件を緩和（待ち時間の上限を超過）: legal/);
    assert.match(relaxed.en, /skills relaxed after the wait: legal/);
  } finally {
    await hangUp(callSid, line);
    await signOut([sato]);
  }
});
