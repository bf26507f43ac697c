//! Call-center stories end to end on workerd with the Twilio test double playing Twilio (agents here are
//! socket clients plus the double's HTTP softphones; the browser versions live in tests/e2e).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { readCenterSettings, setCenterSettings } from '../support/center-settings.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { freePort, startDouble } from '../support/double.mjs';
import { clientIdentity } from '../support/twilio.mjs';

let edge;
let double;
const signedIn = [];
before(async () => {
  const port = await freePort();
  edge = await startHarness({
    vars: { TWILIO_API_BASE: `http://127.0.0.1:${port}`, VOICE_BACKEND: 'double', TWILIO_DOUBLE_CLIENT_URL: `ws://127.0.0.1:${port}/_double/client` },
  });
  // Rings and pauses at a tenth of real time; the center's own timers (ack 3 s) stay real.
  double = await startDouble({ port, workerUrl: edge.url.href ?? String(edge.url), timeScale: 0.1 });
});
after(async () => {
  await double?.stop();
  await edge?.close();
});
afterEach(async () => {
  for (const { client, agent } of signedIn.splice(0)) {
    client.send({ type: 'set_status', status: { kind: 'offline' } });
    await client.close();
    await double.unregisterClient(clientIdentity('demo', agent)).catch(() => {});
  }
});

/** An agent with a widget socket (acknowledging offers, as a live widget does) and a softphone. */
async function agentOnline(agent, team, phone = {}) {
  const { session } = await openSession(edge.url, embedToken({ agent, team }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  client.ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'offer') client.send({ type: 'ack_offer', offer: message.offer });
  });
  await client.next('welcome');
  await double.registerClient(clientIdentity('demo', agent), phone);
  signedIn.push({ client, agent });
  return { client, session };
}

async function conversationOf(session, callSid) {
  const res = await fetch(new URL('/api/conversations?limit=200', edge.url), { headers: { authorization: `Bearer ${session}` } });
  const { conversations } = await res.json();
  return conversations.find((c) => c.interaction === callSid || c.root_call_sid === callSid);
}

async function eventually(fn, what, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const says = (state) => state.events.filter((e) => e.kind === 'say').map((e) => e.text).join(' | ');

test('(a) the owner is available: the owner\'s phone rings with screen pop, answers, talks, hangs up; one conversation with its recording', async () => {
  const { client, session } = await agentOnline('sato', 'sales', { answer_after_ms: 300 });
  const callSid = await double.call('+81355550101');
  const offer = await client.next('offer', 0, 10_000);
  assert.equal(offer.screen_pop.customer.name, '山田 太郎（山田商事株式会社）');
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'sato on call', 0, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await double.hangup(callSid);
  const conversation = await eventually(async () => {
    const c = await conversationOf(session, callSid);
    return c && c.outcome === 'answered' && c.recordings?.length ? c : null;
  }, 'an answered conversation with a recording');
  assert.equal(conversation.answered_by, 'sato');
  assert.equal(conversation.customer, 'c001');
  assert.equal(conversation.recordings[0].channels, 2, 'dual-channel recording linked');
});

test('(e) the caller hangs up while queued: abandoned, and counted in the abandonment rate', async () => {
  // The support team's supervisor: the caller (c005) is a support customer.
  const { session } = await openSession(edge.url, embedToken({ agent: 'watanabe', team: 'support', roles: ['agent', 'supervisor'] }));
  const callSid = await double.call('+818055550105');
  await double.waitForCall(callSid, (s) => says(s).includes('番目'), 'a queue position announcement');
  // Callers gone within 5 s never really waited (short abandons are counted apart); this one waits 6 s.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  await double.hangup(callSid);
  const conversation = await eventually(async () => {
    const c = await conversationOf(session, callSid);
    return c?.outcome?.abandoned ? c : null;
  }, 'an abandoned conversation');
  assert.ok(conversation.outcome.abandoned.after >= 0);
  const kpi = await (await fetch(new URL('/api/kpi', edge.url), { headers: { authorization: `Bearer ${session}` } })).json();
  assert.ok(kpi.rows[0].abandoned >= 1, JSON.stringify(kpi.rows[0]));
  assert.ok(kpi.rows[0].abandonment_rate > 0, 'the abandonment rate counts it');
});

test('the caller hangs up while the owner\'s phone rings: the offer is withdrawn once, the call is abandoned and never rings again', async () => {
  // Twilio posts the <Dial> action (DialCallStatus=canceled, CallStatus=completed) before the
  // caller leg's status callback; the action alone must not route the call again.
  const { client, session } = await agentOnline('sato', 'sales'); // registered, never answers
  const callSid = await double.call('+81355550101');
  await client.next('offer', 0, 10_000);
  await double.waitForCall(callSid, (s) => s.events.some((e) => e.kind === 'dial'), 'the <Dial> to the agent');
  await double.hangup(callSid);
  const conversation = await eventually(async () => {
    const c = await conversationOf(session, callSid);
    return c?.ended_at ? c : null;
  }, 'an ended conversation');
  assert.ok(conversation.outcome.abandoned, JSON.stringify(conversation.outcome));
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'available', 'sato available again', 0, 5_000);
  const offers = client.messages.filter((m) => m.type === 'offer');
  assert.equal(offers.length, 1, `offered again after the caller left: ${JSON.stringify(offers.map((o) => o.offer))}`);
});

test('(h) nobody answers within the tenant\'s limit: the fallback number is dialled', async () => {
  const original = await readCenterSettings(edge.env.DB, 'demo');
  await setCenterSettings(edge.env.DB, 'demo', { max_wait: 2000, fallback_numbers: ['+819012340000'] });
  try {
    await double.phone('+819012340000', { answer_after_ms: 200, hangup_after_ms: 500 });
    await agentOnline('sato', 'sales'); // registered, never answers
    const callSid = await double.call('+81355550101');
    const state = await double.waitForCall(
      callSid,
      (s) => JSON.stringify(s.events).includes('+819012340000'),
      'a dial to the fallback number',
    );
    assert.match(says(state), /別の窓口におつなぎします/, 'the caller is told, in Japanese first');
    const dialled = state.events.filter((e) => JSON.stringify(e).includes('+819012340000'));
    assert.ok(dialled.length > 0);
  } finally {
    await setCenterSettings(edge.env.DB, 'demo', original);
  }
});

test('(g) duplicated and reordered callbacks give the same log as clean ones', async () => {
  // The same story twice: once with every callback delivered twice and half of them late.
  const story = async () => {
    const { session } = await agentOnline('suzuki', 'sales', { answer_after_ms: 200, hangup_after_ms: 800 });
    const callSid = await double.call('+819055550103'); // c003, owned by suzuki
    const conversation = await eventually(async () => {
      const c = await conversationOf(session, callSid);
      return c && c.ended_at && c.recordings?.length ? c : null;
    }, 'a finished conversation');
    for (const { client, agent } of signedIn.splice(0)) {
      client.send({ type: 'set_status', status: { kind: 'offline' } });
      await client.close();
      await double.unregisterClient(clientIdentity('demo', agent)).catch(() => {});
    }
    const rows = await edge.env.DB.prepare('SELECT kind, COUNT(*) AS n FROM call_events WHERE interaction_id = ? GROUP BY kind ORDER BY kind')
      .bind(callSid).all();
    // Only the shape: sids and times differ between the two calls.
    return {
      outcome: conversation.outcome,
      answered_by: conversation.answered_by,
      legs: conversation.agent_legs.map((leg) => [leg.agent, leg.outcome]),
      recordings: conversation.recordings.map((r) => [r.status, r.channels]),
      events: rows.results,
    };
  };
  const clean = await story();
  const port = Number(new URL(double.url).port);
  await double.stop();
  double = await startDouble({ port, workerUrl: String(edge.url), timeScale: 0.1, duplicate: 1, reorder: 0.5, seed: 7 });
  const messy = await story();
  assert.deepEqual(messy, clean);
});
