//! IVR menus on live calls, with the Twilio double: a caller to the seed's IVR line (050-1234-5679, 請求は1、予約は2) who presses 1 or says 「請求」 is asked the menu's question, reaches the billing skill (tanaka, past the more idle sato), the screen pop shows the path, and the stored conversation keeps it; a stale answer changes nothing.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { agentOnline as agentOnlineOn } from '../support/agents.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { freePort, startDouble } from '../support/double.mjs';
import { postWebhook } from '../support/twilio.mjs';

const IVR_LINE = '+815012345679'; // the seed's IVR demo line
const STRANGER = '+81355559999'; // no CRM record: no owner, so skills decide
const PATH = ['請求', '料金チーム'];

let edge;
let double;
const signedIn = [];
before(async () => {
  const port = await freePort();
  edge = await startHarness({
    vars: { TWILIO_API_BASE: `http://127.0.0.1:${port}`, VOICE_BACKEND: 'double', TWILIO_DOUBLE_CLIENT_URL: `ws://127.0.0.1:${port}/_double/client` },
  });
  double = await startDouble({ port, workerUrl: edge.url.href ?? String(edge.url) });
});
after(async () => {
  await double?.stop();
  await edge?.close();
});
afterEach(async () => {
  for (const online of signedIn.splice(0)) await online.signOff();
});

/** An agent with a widget socket that acknowledges offers (as a live widget does) and a softphone that rings without answering. */
/** An agent signed in as a live widget is (`tests/support/agents.mjs`), signed off after each test. */
async function agentOnline(agent, team) {
  const online = await agentOnlineOn(edge, double, agent, team);
  signedIn.push(online);
  return online.client;
}

/** The stored conversation of `callSid`, once `pred` holds for it (the hub's outbox writes it after the call). */
async function conversation(callSid, pred, what) {
  const { session } = await openSession(edge.url, embedToken({ agent: 'ivr_admin', team: 'sales', roles: ['admin'] }));
  const until = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(new URL(`/api/conversations/${callSid}`, edge.url), { headers: { authorization: `Bearer ${session}` } });
    const body = res.status === 200 ? await res.json() : null;
    if (body && pred(body)) return body;
    assert.ok(Date.now() < until, `timed out waiting for ${what}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const gathered = (state) => state.events.filter((e) => e.kind === 'gathered');

/** Sato first (the longest idle, without billing), then tanaka (support, billing 3 in the seed). */
async function office() {
  const sato = await agentOnline('sato', 'sales');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const tanaka = await agentOnline('tanaka', 'support');
  return { sato, tanaka };
}

test('a caller to the IVR line presses 1: tanaka (billing) is offered the call with the path in the screen pop, and the conversation keeps it', async () => {
  const { sato, tanaka } = await office();
  const callSid = await double.call(STRANGER, IVR_LINE, '1');
  const offer = await tanaka.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the offer to tanaka', 0, 15_000);
  assert.deepEqual(offer.screen_pop.ivr_path, PATH, 'the screen pop shows the path');
  assert.deepEqual(offer.screen_pop.skills, [{ skill: 'billing', level: 1 }], 'the menu asked for billing');
  assert.ok(!sato.messages.some((m) => m.type === 'offer'), 'sato, more idle but without billing, is not offered it');

  const state = await double.call_state(callSid);
  const asked = state.events.find((e) => e.kind === 'webhook' && /<Gather/.test(e.twiml ?? ''));
  assert.ok(asked, `the incoming webhook asked the menu's question: ${JSON.stringify(state.events.slice(0, 6))}`);
  assert.match(asked.twiml, /請求は1、予約は2/);
  assert.match(asked.twiml, /\/twilio\/voice\/demo\/ivr\?node=root/);
  assert.deepEqual(gathered(state).map((e) => e.digits), ['1']);

  await double.hangup(callSid);
  const stored = await conversation(callSid, (c) => c.ivr_path && c.outcome !== 'in_progress', 'the conversation with its IVR path');
  assert.deepEqual(stored.ivr_path, PATH, 'the stitched conversation keeps the path');
});

test('a caller says 「請求」: the same billing agent is offered the call with the same path', async () => {
  const { sato, tanaka } = await office();
  const callSid = await double.call(STRANGER, IVR_LINE);
  await double.speech(callSid, '請求', 0.9);
  const offer = await tanaka.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the offer to tanaka', 0, 20_000);
  assert.deepEqual(offer.screen_pop.ivr_path, PATH);
  assert.ok(!sato.messages.some((m) => m.type === 'offer'), 'sato is not offered it');
  const state = await double.call_state(callSid);
  assert.ok(gathered(state).some((e) => e.speech === '請求'), `the gather heard the speech: ${JSON.stringify(gathered(state))}`);
  await double.hangup(callSid);
  const stored = await conversation(callSid, (c) => c.ivr_path, 'the conversation with its IVR path');
  assert.deepEqual(stored.ivr_path, PATH);
});

test('an answer to a question no longer asked (a retried or forged-stale webhook) changes nothing: the current question is asked again', async () => {
  const { tanaka } = await office();
  const callSid = await double.call(STRANGER, IVR_LINE);
  await double.waitForCall(callSid, (state) => state.events.some((e) => e.kind === 'webhook' && /<Gather/.test(e.twiml ?? '')), 'the first question');
  // The double's caller says nothing; meanwhile a stale answer (a question that was never asked
  // on this visit) arrives, signed like Twilio's.
  const url = new URL('/twilio/voice/demo/ivr?node=root&retry=7', edge.url).href;
  const res = await postWebhook(url, {
    AccountSid: 'AC00000000000000000000000000000d30', CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound',
    From: STRANGER, To: IVR_LINE, Digits: '1',
  }, { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN });
  const xml = await res.text();
  assert.equal(res.status, 200, xml);
  assert.match(xml, /<Gather/, 'the current question again');
  assert.doesNotMatch(xml, /<Dial/, 'nobody rings');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(!tanaka.messages.some((m) => m.type === 'offer' && m.conversation === callSid), 'nobody was offered the call');
  await double.hangup(callSid);
});

test('the routing dry run presses the IVR keys it is given (digits "1") and agrees with the real call that follows', async () => {
  const { tanaka } = await office();
  const { session } = await openSession(edge.url, embedToken({ agent: 'ivr_admin', team: 'sales', roles: ['admin'] }));
  const dryRun = async (body) => {
    const res = await fetch(new URL('/api/routing/dry-run', edge.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: STRANGER, to: IVR_LINE, ...body }),
    });
    return { status: res.status, body: await res.json() };
  };
  const pressed = await dryRun({ digits: '1' });
  assert.equal(pressed.status, 200, JSON.stringify(pressed.body));
  assert.equal(pressed.body.plan, 'ring');
  assert.equal(pressed.body.plan_detail.agent, 'tanaka');
  assert.deepEqual(pressed.body.ivr_path, PATH);
  // Without keys the menu is skipped (the line's own routing); keys that run out leave it asking.
  assert.equal((await dryRun({})).body.ivr_path, null);
  assert.equal((await dryRun({ digits: '9' })).body.plan, 'ask');
  assert.equal((await dryRun({ digits: '1x' })).status, 400);

  const callSid = await double.call(STRANGER, IVR_LINE, '1');
  const offer = await tanaka.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the offer to tanaka', 0, 15_000);
  assert.deepEqual(offer.screen_pop.ivr_path, pressed.body.ivr_path, 'the real call took the path the dry run showed');
  await double.hangup(callSid);
});
