//! D1 is not on a call's critical path: with every D1 read and call-log write failing, calls still ring and queue, hang-ups still free the agent, a known caller still reaches their owner with the screen pop (the hub's directory copy), and the log catches up once D1 is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, logReaderToken, openSession } from '../support/auth.mjs';
import { sid, startRestRecorder } from '../support/twilio.mjs';
import { demoCalls, signInAgent, signOutAgents } from '../support/demo-calls.mjs';

const YAMADA = '+81355550101';
/** 小林 誠 of 小林工業 (c003), whose owner is suzuki of sales. */
const KOBAYASHI = '+819055550103';

let edge;
let rest;
before(async () => {
  rest = await startRestRecorder();
  edge = await startHarness({ vars: { TWILIO_API_BASE: rest.url, LOG_RETRY_MS: '300' } });
});
after(async () => {
  await edge?.close();
  await rest?.close();
});

const db = () => edge.env.DB;

/** Makes every D1 read the webhooks do and every call-log write fail, as in an outage. */
async function breakD1() {
  await db().batch([
    db().prepare('ALTER TABLE tenants RENAME TO tenants_outage'),
    db().prepare('ALTER TABLE customers RENAME TO customers_outage'),
    db().prepare("CREATE TRIGGER refuse_events BEFORE INSERT ON call_events BEGIN SELECT RAISE(ABORT, 'outage'); END"),
  ]);
}

async function mendD1() {
  await db().batch([
    db().prepare('DROP TRIGGER refuse_events'),
    db().prepare('ALTER TABLE customers_outage RENAME TO customers'),
    db().prepare('ALTER TABLE tenants_outage RENAME TO tenants'),
  ]);
}

const incoming = (callSid, from = YAMADA) => demoCalls(edge.url).incoming(callSid, from);
const agentLeg = (callSid, agent, legSid, status, sequence) => demoCalls(edge.url).agentLeg(callSid, agent, legSid, status, sequence, YAMADA);
const callerLeg = (callSid, status, sequence, extra = {}) => demoCalls(edge.url).callerLeg(callSid, status, sequence, YAMADA, extra);

// First in the file: the next test leaves a caller in the queue.
test('during a D1 outage a known caller still reaches their owner, with the screen pop, from the hub\'s directory copy', async () => {
  // The copy is filled from D1 while it is there: here by the admin's "sync now" (writes through
  // the admin API fill it by themselves, and so does a hub's first call).
  const admin = (await openSession(edge.url, logReaderToken())).session;
  const synced = await fetch(new URL('/api/admin/directory/sync', edge.url), {
    method: 'POST', headers: { authorization: `Bearer ${admin}` },
  });
  const reply = await synced.text();
  assert.equal(synced.status, 200, reply);
  assert.deepEqual(JSON.parse(reply), { refreshed: true });

  // Takahashi signs in first, so that without the owner the longest-idle agent would be her.
  const takahashi = await signInAgent(edge.url, 'takahashi', 'sales');
  const suzuki = await signInAgent(edge.url, 'suzuki', 'sales');

  await breakD1();
  try {
    const callSid = sid();
    const ring = await incoming(callSid, KOBAYASHI);
    assert.equal(ring.status, 200, ring.xml);
    assert.match(ring.xml, /<Identity>demo_suzuki<\/Identity>/, 'the owner is rung without D1');
    const offer = await suzuki.next('offer');
    assert.equal(offer.screen_pop.customer.name, '小林 誠（小林工業）', JSON.stringify(offer.screen_pop));
    assert.equal(offer.screen_pop.customer.owner, 'suzuki');
    // The caller gives up while it rings: suzuki is free again.
    await demoCalls(edge.url).callerLeavesWhileRinging(suzuki, offer, callSid, KOBAYASHI);
  } finally {
    await mendD1();
  }
  await signOutAgents([takahashi, suzuki]);
});

test('a customer changed through the admin API is routed by the change at once, D1 or not', async () => {
  const admin = (await openSession(edge.url, logReaderToken())).session;
  // 山本 あかり (c006) has no owner; the admin gives her to ito of support.
  const changed = await fetch(new URL('/api/admin/customers/c006', edge.url), {
    method: 'PUT',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '山本 あかり', company: '山本デザイン事務所', phone: '045-555-0106', owner: 'ito' }),
  });
  assert.equal(changed.status, 200, await changed.text());

  const tanaka = await signInAgent(edge.url, 'tanaka', 'support');
  const ito = await signInAgent(edge.url, 'ito', 'support');
  await breakD1();
  try {
    const callSid = sid();
    const ring = await incoming(callSid, '+81455550106');
    assert.match(ring.xml, /<Identity>demo_ito<\/Identity>/, 'the new owner is rung: the write reached the hub');
    const offer = await ito.next('offer');
    assert.equal(offer.screen_pop.customer.owner, 'ito');
    await demoCalls(edge.url).callerLeavesWhileRinging(ito, offer, callSid, '+81455550106');
  } finally {
    await mendD1();
  }
  await signOutAgents([tanaka, ito]);
});

test('during a D1 outage a call rings, a second one queues, the hang-up frees the agent; afterwards the log has every event', async () => {
  const { session } = await openSession(edge.url, embedToken({ agent: 'sato', team: 'sales' }));
  const sato = await HubClient.connect(edge.url, 'demo', session);
  const welcome = await sato.next('welcome');
  assert.equal(welcome.status.kind, 'available', 'signed in available (the demo tenant\'s setting)');

  let first;
  let second;
  await breakD1();
  try {
    first = sid();
    const ring = await incoming(first);
    assert.equal(ring.status, 200, ring.xml);
    assert.match(ring.xml, /<Identity>demo_sato<\/Identity>/, 'the call rings the free agent without D1');
    const offer = await sato.next('offer');
    assert.equal(offer.conversation, first);
    sato.send({ type: 'ack_offer', offer: offer.offer });
    const leg = sid();
    for (const [status, sequence] of [['ringing', 1], ['in-progress', 2]]) {
      assert.equal((await agentLeg(first, 'sato', leg, status, sequence)).status, 200, `agent leg ${status}`);
    }
    await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'sato on the call');

    second = sid();
    const queued = await incoming(second);
    assert.equal(queued.status, 200, queued.xml);
    assert.match(queued.xml, /<Enqueue /, 'with the only agent busy, the next caller queues');

    // The caller hangs up: the status callback (its log write refused) still frees the agent.
    assert.equal((await agentLeg(first, 'sato', leg, 'completed', 3)).status, 200);
    assert.equal((await callerLeg(first, 'completed', 3, { CallDuration: '20' })).status, 200);
    await sato.waitFor((m) => m.type === 'status' && m.status.kind !== 'on_call', 'sato off the call');
    const ofThisTest = 'SELECT COUNT(*) AS n FROM call_events WHERE interaction_id IN (?1, ?2)';
    assert.equal(await db().prepare(ofThisTest).bind(first, second).first('n'), 0, 'nothing reached D1 meanwhile');
  } finally {
    await mendD1();
  }

  // Once D1 takes writes again, the outbox writes every event, and the conversation is stitched.
  const deadline = Date.now() + 15_000;
  let events = [];
  for (;;) {
    events = (await db().prepare('SELECT kind FROM call_events WHERE interaction_id IN (?1, ?2) ORDER BY at_ms')
      .bind(first, second).all()).results.map((r) => r.kind);
    const legs = events.filter((kind) => kind === 'leg_status').length;
    if (legs >= 4 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(events.filter((kind) => kind === 'leg_status').length, 4, `the four Twilio callbacks: ${events.join(', ')}`);
  assert.ok(events.length > 4, `and the center's own events: ${events.join(', ')}`);
  await sato.close();
});
