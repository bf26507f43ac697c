//! The dial policy on workerd: premium-rate, shared-cost and international numbers are refused on every dialling path (click-to-call, transfer to a number, fallback numbers) before Twilio is asked, and the per-agent call rate is capped.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { readCenterSettings, setCenterSettings } from '../support/center-settings.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000d30';

let edge;
let rest;
let original;
const signedIn = [];
before(async () => {
  rest = await startRestRecorder();
  edge = await startHarness({ vars: { TWILIO_API_BASE: rest.url } });
  original = await readCenterSettings(edge.env.DB, 'demo');
});
after(async () => {
  await edge?.close();
  await rest?.close();
});
afterEach(async () => {
  for (const client of signedIn.splice(0)) {
    client.send({ type: 'set_status', status: { kind: 'offline' } });
    await client.close();
  }
  await setRouting(original);
});

const setRouting = (settings) => setCenterSettings(edge.env.DB, 'demo', settings);

async function signIn(agent, team, roles = ['agent']) {
  const { session } = await openSession(edge.url, embedToken({ agent, team, roles }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  signedIn.push(client);
  return { session, client };
}

async function dial(session, to) {
  const res = await fetch(new URL('/api/calls', edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to }),
  });
  return { status: res.status, body: await res.json() };
}

const createdCalls = () => rest.requests.filter((r) => r.method === 'POST' && /\/Calls\.json$/.test(r.path)).length;

/** Twilio's status callback saying the outbound call `callSid` ended. */
function ended(callSid) {
  const params = {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'completed', Direction: 'outbound-api',
    From: '+815012345678', To: `client:${clientIdentity('demo', 'sato')}`, SequenceNumber: '3',
  };
  return postWebhook(new URL('/twilio/voice/demo/status', edge.url).href, params, { authToken: AUTH_TOKEN });
}

/** Ends `call_sid`'s call and the agent's wrap-up, so they may dial again. */
async function finish(client, callSid) {
  const since = client.messages.length;
  assert.equal((await ended(callSid)).status, 200);
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'wrap_up', 'wrap-up', since);
  client.send({ type: 'end_wrap_up' });
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'available', 'available', since);
}

test('click-to-call refuses premium-rate, shared-cost and international numbers with a typed 403, and Twilio is never asked', async () => {
  const { session } = await signIn('sato', 'sales');
  const before = createdCalls();
  for (const [to, reason] of [
    ['0990-123-456', 'premium_rate'],
    ['0570-555-108', 'shared_cost'],
    ['+44 909 876 5432', 'premium_rate'],
    ['+1 900 555 0199', 'premium_rate'],
    ['+44 20 7946 0107', 'international'],
    ['+881 6 3123 4567', 'satellite'],
  ]) {
    const { status, body } = await dial(session, to);
    assert.equal(status, 403, `${to} is refused`);
    assert.equal(body.error, 'dial_refused');
    assert.equal(body.reason, reason, `${to}: ${reason}`);
    assert.ok(body.message.length > 0);
    const digits = to.replace(/\D/g, '');
    assert.ok(!JSON.stringify(body).includes(digits.slice(-7)), 'the reply never echoes the number');
  }
  assert.equal(createdCalls(), before, 'no call was created at Twilio');
});

test('allowed destinations still dial: Tokyo, a mobile and free dial (each ended before the next)', async () => {
  const { session, client } = await signIn('sato', 'sales');
  for (const to of ['03-5555-0101', '090-5555-0103', '0120-555-108']) {
    const before = createdCalls();
    const { status, body } = await dial(session, to);
    assert.equal(status, 200, `${to}: ${JSON.stringify(body)}`);
    assert.equal(body.to_display, to);
    assert.equal(createdCalls(), before + 1);
    await finish(client, body.call_sid);
  }
});

test('a tenant country list opens a country to supervisors only, and an allow-list opens a single number', async () => {
  await setRouting({ dial_policy: { allowed_countries: [44], allowed_numbers: ['+81570555108'] } });
  const agent = await signIn('suzuki', 'sales');
  assert.equal((await dial(agent.session, '+44 20 7946 0107')).body.reason, 'international_supervisors_only');
  const shared = await dial(agent.session, '0570-555-108');
  assert.equal(shared.status, 200, JSON.stringify(shared.body));
  await finish(agent.client, shared.body.call_sid);
  const lead = await signIn('takahashi', 'sales', ['agent', 'supervisor']);
  const abroad = await dial(lead.session, '+44 20 7946 0107');
  assert.equal(abroad.status, 200, JSON.stringify(abroad.body));
  await finish(lead.client, abroad.body.call_sid);
});

test('the per-agent rate cap refuses the call after the cap inside the window', async () => {
  await setRouting({ dial_policy: { max_calls_per_agent: 2, rate_window_secs: 600 } });
  // An agent who has placed no call yet in this file (the center counts every call in the window).
  const { session, client } = await signIn('ito', 'support');
  for (let i = 0; i < 2; i += 1) {
    const { status, body } = await dial(session, '03-5555-0101');
    assert.equal(status, 200, JSON.stringify(body));
    await finish(client, body.call_sid);
  }
  const before = createdCalls();
  const third = await dial(session, '03-5555-0101');
  assert.equal(third.status, 403);
  assert.deepEqual([third.body.error, third.body.reason], ['dial_refused', 'agent_rate_limit']);
  assert.equal(createdCalls(), before, 'the capped call never reached Twilio');
});

test('a transfer to a premium-rate number over the socket is rejected with the policy\'s code', async () => {
  const { session, client } = await signIn('sato', 'sales');
  const placed = await dial(session, '03-5555-0101');
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  const since = client.messages.length;
  client.send({ type: 'transfer', conversation: placed.body.conversation, to: { kind: 'number', number: '0990-123-456' } });
  const rejected = await client.next('rejected', since);
  assert.match(rejected.reason, /^dial refused \(premium_rate\)/);
  assert.ok(!rejected.reason.includes('123'), 'the rejection never echoes the number');
  await finish(client, placed.body.call_sid);
});

test('a configuration with a premium-rate fallback number is refused: calls fail closed instead of dialling it', async () => {
  await setRouting({ fallback_numbers: ['+81990123456'], max_wait: 1000 });
  const { session } = await openSession(edge.url, embedToken({ agent: 'sato', team: 'sales' }));
  const before = createdCalls();
  const { status, body } = await dial(session, '03-5555-0101');
  assert.equal(status, 500, JSON.stringify(body));
  assert.equal(body.error, 'internal', 'the invalid configuration is not used');
  assert.equal(createdCalls(), before);
  const params = inboundCallParams({ callSid: sid(), from: '+81355550101', to: '+815012345678', accountSid: ACCOUNT });
  const res = await postWebhook(new URL('/twilio/voice/demo/incoming', edge.url).href, params, { authToken: AUTH_TOKEN });
  assert.doesNotMatch(await res.text(), /81990123456/, 'no TwiML ever dials the refused fallback number');
});

test('the session says whether Tsunagu.dial() may call without the agent\'s click (default: no)', async () => {
  const open = async () => (await openSession(edge.url, embedToken({ agent: 'sato', team: 'sales' })));
  assert.equal((await open()).direct_dial_from_host, false);
  await setRouting({ direct_dial_from_host: true });
  assert.equal((await open()).direct_dial_from_host, true);
});
