//! D1 is not on a call's critical path: with every D1 read and call-log write failing, calls still ring and queue, hang-ups still free the agent, and the log catches up once D1 is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000d30';
const MAIN_LINE = '+815012345678';
const YAMADA = '+81355550101';

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

const hook = (name, query = '') => new URL(`/twilio/voice/demo/${name}${query}`, edge.url).href;
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

async function incoming(callSid) {
  const res = await postWebhook(hook('incoming'), inboundCallParams({ callSid, from: YAMADA, to: MAIN_LINE, accountSid: ACCOUNT }), { authToken: AUTH_TOKEN });
  return { status: res.status, xml: await res.text() };
}

function agentLeg(callSid, agent, legSid, status, sequence) {
  return postWebhook(hook('agent-status', `?agent=${agent}&conversation=${callSid}`), {
    AccountSid: ACCOUNT, CallSid: legSid, ParentCallSid: callSid, CallStatus: status, Direction: 'outbound-dial',
    From: YAMADA, To: `client:${clientIdentity('demo', agent)}`, SequenceNumber: String(sequence),
  }, { authToken: AUTH_TOKEN });
}

function callerLeg(callSid, status, sequence, extra = {}) {
  return postWebhook(hook('status'), {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: status, Direction: 'inbound',
    From: YAMADA, To: MAIN_LINE, SequenceNumber: String(sequence), ...extra,
  }, { authToken: AUTH_TOKEN });
}

test('during a D1 outage a call rings, a second one queues, the hang-up frees the agent; afterwards the log has every event', async () => {
  const { session } = await openSession(edge.url, embedToken({ agent: 'sato', team: 'sales' }));
  const sato = await HubClient.connect(edge.url, 'demo', session);
  const welcome = await sato.next('welcome');
  assert.equal(welcome.status.kind, 'available', 'signed in available (the demo tenant\'s setting)');

  await breakD1();
  try {
    const first = sid();
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

    const second = sid();
    const queued = await incoming(second);
    assert.equal(queued.status, 200, queued.xml);
    assert.match(queued.xml, /<Enqueue /, 'with the only agent busy, the next caller queues');

    // The caller hangs up: the status callback (its log write refused) still frees the agent.
    assert.equal((await agentLeg(first, 'sato', leg, 'completed', 3)).status, 200);
    assert.equal((await callerLeg(first, 'completed', 3, { CallDuration: '20' })).status, 200);
    await sato.waitFor((m) => m.type === 'status' && m.status.kind !== 'on_call', 'sato off the call');
    assert.equal(await db().prepare('SELECT COUNT(*) AS n FROM call_events').first('n'), 0, 'nothing reached D1 meanwhile');
  } finally {
    await mendD1();
  }

  // Once D1 takes writes again, the outbox writes every event, and the conversation is stitched.
  const deadline = Date.now() + 15_000;
  let events = [];
  for (;;) {
    events = (await db().prepare('SELECT kind FROM call_events ORDER BY at_ms').all()).results.map((r) => r.kind);
    const legs = events.filter((kind) => kind === 'leg_status').length;
    if (legs >= 4 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(events.filter((kind) => kind === 'leg_status').length, 4, `the four Twilio callbacks: ${events.join(', ')}`);
  assert.ok(events.length > 4, `and the center's own events: ${events.join(', ')}`);
  await sato.close();
});
