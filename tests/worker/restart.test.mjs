//! The real `wrangler dev` restarted mid-shift: presence and the queue survive; logs are structured and secret-free.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000d30';
const CALLER = '+81665550102'; // c002, owned by sato

let edge;
let rest;
before(async () => {
  rest = await startRestRecorder();
  edge = await startWranglerDev({ vars: { TWILIO_API_BASE: rest.url } });
});
after(async () => {
  await edge?.stop();
  await rest?.close();
});

const hook = (name, query = '') => new URL(`/twilio/voice/demo/${name}${query}`, edge.url).href;

async function signIn(agent) {
  const { session } = await openSession(edge.url, embedToken({ agent, team: 'sales' }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  const welcome = await client.next('welcome');
  return { client, welcome };
}

test('restarting the worker keeps presence and the queue', async () => {
  const first = await signIn('sato');
  first.client.send({ type: 'set_status', status: { kind: 'away', reason: 'meeting' } });
  await first.client.next('status');

  const callSid = sid();
  const params = inboundCallParams({ callSid, from: CALLER, to: '+815012345678', accountSid: ACCOUNT });
  const enqueued = await (await postWebhook(hook('incoming'), params, { authToken: AUTH_TOKEN })).text();
  assert.match(enqueued, /<Enqueue /, 'nobody is available, so the call waits');

  await edge.restart();
  await first.client.closed;

  const again = await signIn('sato');
  assert.deepEqual(again.welcome.status, { kind: 'away', reason: 'meeting' }, 'presence survived the restart');

  const wait = await postWebhook(hook('queue-wait', `?conversation=${callSid}`), {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound', From: CALLER,
    QueueSid: 'QU00000000000000000000000000000001', QueuePosition: '1', QueueTime: '30', AvgQueueTime: '30', CurrentQueueSize: '1',
  }, { authToken: AUTH_TOKEN });
  assert.match(await wait.text(), /1番目/, 'the queued call kept its place');

  again.client.send({ type: 'set_status', status: { kind: 'available' } });
  const offer = await again.client.next('offer');
  assert.equal(offer.conversation, callSid, 'the queued call goes to the first agent to become available');
  const redirect = await rest.waitFor((r) => r.path.includes(callSid));
  assert.match(redirect.form.Url, /\/route\?conversation=/);
  again.client.send({ type: 'set_status', status: { kind: 'offline' } });
  await again.client.close();
});

test('logs are one JSON object per line, and a rejected webhook is logged without the request\'s secrets', async () => {
  const callSid = sid();
  const params = inboundCallParams({ callSid, from: CALLER, to: '+815012345678', accountSid: ACCOUNT });
  const forgedSignature = 'Zm9yZ2VkLXNpZ25hdHVyZS0xMjM0NQ==';
  const res = await postWebhook(hook('incoming'), params, { signature: forgedSignature });
  assert.equal(res.status, 403);
  const genuine = await postWebhook(hook('incoming'), params, { authToken: AUTH_TOKEN });
  assert.equal(genuine.status, 200);
  const deadline = Date.now() + 5000;
  let line;
  while (!line && Date.now() < deadline) {
    line = edge.output().split('\n').find((l) => l.includes('"event":"webhook.rejected"'));
    if (!line) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(line, 'the rejection is logged');
  const entry = JSON.parse(line.slice(line.indexOf('{')));
  assert.equal(entry.level, 'warn');
  assert.equal(entry.tenant, 'demo');
  assert.equal(entry.hook, 'incoming');
  const output = edge.output();
  for (const secret of [AUTH_TOKEN, forgedSignature, DEV_VARS.TENANT_DEMO_EMBED_SECRET, DEV_VARS.SESSION_SECRET]) {
    assert.equal(output.includes(secret), false, 'no secret or signature in the logs');
  }
  const planned = output.split('\n').find((l) => l.includes('"event":"voice.plan"') && l.includes(callSid));
  assert.ok(planned, 'routing decisions are logged');
  const decision = JSON.parse(planned.slice(planned.indexOf('{')));
  assert.equal(decision.hook, 'incoming');
  assert.equal(decision.conversation, callSid);
});
