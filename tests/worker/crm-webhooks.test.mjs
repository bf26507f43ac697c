//! CRM webhooks on workerd: subscriptions (admins only, secret shown once), signed deliveries of a simulated call, a receiver that goes down mid-burst, dead letters and redelivery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook, sid } from '../support/twilio.mjs';
import { verifyTsunaguSignature as verifySignature } from '../support/demo-calls.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000d30';
const MAIN_LINE = '+815012345678';
const YAMADA = '+81355550101'; // c001, owned by sato (sales)
// Retries every 100–400 ms and dead letters after 6 s here (10 s doubling to 1 h, for 24 h, in production).
// Call-log writes D1 refused are retried every 300 ms (10 s in production).
const VARS = { WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_CAP_MS: '400', WEBHOOK_GIVE_UP_MS: '6000', LOG_RETRY_MS: '300' };

/**
 * The CRM backend's stand-in: records every request (headers and raw body) and can be told to fail
 * (HTTP 500), to close connections without answering, or to stop listening and start again on the
 * same port.
 */
class Receiver {
  static async start() {
    const receiver = new Receiver();
    await receiver.listen(0);
    return receiver;
  }

  constructor() {
    this.requests = [];
    this.mode = 'ok';
    this.waiters = [];
    this.sockets = new Set();
  }

  async listen(port) {
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        if (this.mode === 'close') { req.socket.destroy(); return; }
        if (this.mode === 'fail') { res.writeHead(500).end('no'); return; }
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
        this.waiters = this.waiters.filter((check) => !check());
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    this.url = `http://127.0.0.1:${this.port}/hooks/tsunagu`;
  }

  /** Stops listening: connections are refused until `restart`. */
  async stop() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  restart() {
    return this.listen(this.port);
  }

  events() {
    return this.requests.map((r) => ({ ...r, event: JSON.parse(r.body) }));
  }

  /** Resolves once `predicate(events)` holds. */
  waitUntil(predicate, what, timeoutMs = 20_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events().map((e) => e.event.type))}`)), timeoutMs);
      const check = () => {
        if (!predicate(this.events())) return false;
        clearTimeout(timer);
        resolve(this.events());
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }
}

let edge;
let adminSession;
let receivers = [];
before(async () => {
  edge = await startHarness({ vars: VARS });
  ({ session: adminSession } = await openSession(edge.url, embedToken({ agent: 'crm_admin', name: 'CRM admin', roles: ['admin'] })));
});
after(async () => {
  await edge?.close();
  for (const receiver of receivers) await receiver.stop().catch(() => {});
});

async function api(method, path, { session = adminSession, body } = {}) {
  const res = await fetch(new URL(path, edge.url), {
    method,
    headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function subscribe(receiver, events) {
  const created = await api('POST', '/api/admin/webhooks', { body: { url: receiver.url, events } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

const hook = (name, query = '') => new URL(`/twilio/voice/demo/${name}${query}`, edge.url).href;

async function incoming(callSid) {
  const res = await postWebhook(hook('incoming'), inboundCallParams({ callSid, from: YAMADA, to: MAIN_LINE, accountSid: ACCOUNT }), { authToken: AUTH_TOKEN });
  assert.equal(res.status, 200);
  return res.text();
}

function callerLeg(callSid, status, sequence, extra = {}) {
  return postWebhook(hook('status'), {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: status, Direction: 'inbound',
    From: YAMADA, To: MAIN_LINE, SequenceNumber: String(sequence), ...extra,
  }, { authToken: AUTH_TOKEN });
}

function agentLeg(callSid, agent, legSid, status, sequence, extra = {}) {
  return postWebhook(hook('agent-status', `?agent=${agent}&conversation=${callSid}`), {
    AccountSid: ACCOUNT, CallSid: legSid, ParentCallSid: callSid, CallStatus: status, Direction: 'outbound-dial',
    From: YAMADA, To: `client:${clientIdentity('demo', agent)}`, SequenceNumber: String(sequence), ...extra,
  }, { authToken: AUTH_TOKEN });
}

test('the signature scheme matches the Rust crate\'s fixed vector (an independent computation)', () => {
  // crates/tsunagu-webhooks/src/tests.rs, `signature_of_the_fixed_vector`.
  const v1 = createHmac('sha256', 'whsec_test_0123456789abcdef').update('1767225600.{"id":"evt_1","type":"call.ringing"}').digest('hex');
  assert.equal(v1, '5e5edaf656f3e17887f8eeee088e8177d186a1bde51e4c272032dffccbd85456');
});

test('subscriptions: admins only, validated with ja/en errors, the secret shown once', async () => {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  for (const roles of [['agent'], ['supervisor']]) {
    const { session } = await openSession(edge.url, embedToken({ agent: `not_admin_${roles[0]}`, roles }));
    assert.equal((await api('POST', '/api/admin/webhooks', { session, body: { url: receiver.url } })).status, 403);
    assert.equal((await api('GET', '/api/admin/webhooks', { session })).status, 403);
  }
  const invalid = await api('POST', '/api/admin/webhooks', { body: { url: 'http://crm.example.com/hook', events: ['call.nope'] } });
  assert.equal(invalid.status, 422);
  assert.deepEqual(invalid.body.fields.map((f) => [f.field, f.code]), [['url', 'invalid_webhook_url'], ['events[0]', 'unknown_value']]);
  assert.match(invalid.body.fields[0].message.ja, /https:\/\//);

  const created = await subscribe(receiver, ['call.ended']);
  assert.match(created.secret, /^whsec_[0-9a-f]{64}$/);
  const listed = await api('GET', '/api/admin/webhooks');
  const mine = listed.body.webhooks.find((w) => w.id === created.id);
  assert.deepEqual(mine.events, ['call.ended']);
  assert.equal(JSON.stringify(listed.body).includes(created.secret), false, 'the secret is never shown again');
  const row = await edge.env.DB.prepare('SELECT * FROM webhook_subscriptions WHERE id = ?').bind(created.id).first();
  assert.equal(JSON.stringify(row).includes(created.secret.slice(6)), false, 'stored sealed, not in plain');
  assert.equal((await api('DELETE', `/api/admin/webhooks/${created.id}`)).status, 200);
  assert.equal((await api('DELETE', `/api/admin/webhooks/${created.id}`)).status, 404);
  assert.equal((await api('GET', `/api/admin/webhooks/${created.id}/deliveries`)).status, 404);
});

test('a simulated call produces signed call.ringing, call.answered, call.ended and, after the wrap-up, wrap_up.saved', async () => {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  const { id, secret } = await subscribe(receiver);
  const { session } = await openSession(edge.url, embedToken({ agent: 'sato', team: 'sales' }));
  const sato = await HubClient.connect(edge.url, 'demo', session);
  await sato.next('welcome');
  try {
    const callSid = sid();
    await incoming(callSid);
    const offer = await sato.next('offer');
    sato.send({ type: 'ack_offer', offer: offer.offer });
    const leg = sid();
    await agentLeg(callSid, 'sato', leg, 'ringing', 1);
    await agentLeg(callSid, 'sato', leg, 'in-progress', 2);
    await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'on call');
    const mark = sato.mark();
    await agentLeg(callSid, 'sato', leg, 'completed', 3, { CallDuration: '30' });
    await callerLeg(callSid, 'completed', 4, { CallDuration: '40' });
    await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'wrap_up', 'wrap-up', mark);
    sato.send({ type: 'end_wrap_up', disposition: 'resolved', notes: '見積書を再送' });

    const events = await receiver.waitUntil(
      (all) => ['call.ringing', 'call.answered', 'call.ended', 'wrap_up.saved'].every((type) => all.some((e) => e.event.type === type)),
      'ringing, answered, ended and wrap-up',
    );
    for (const { headers, body, event } of events) {
      assert.ok(verifySignature(secret, headers['tsunagu-signature'], body), `signed: ${event.type}`);
      assert.equal(verifySignature('whsec_wrong', headers['tsunagu-signature'], body), false);
      assert.equal(headers['tsunagu-event'], event.type);
      assert.match(headers['tsunagu-delivery'], /^dlv_[0-9a-f]{32}$/);
      assert.equal(headers['content-type'], 'application/json');
      assert.equal(event.tenant, 'demo');
    }
    const of = (type) => events.find((e) => e.event.type === type).event;
    assert.equal(of('call.ringing').data.agent, 'sato');
    assert.deepEqual(Object.values(of('call.ringing').data.contact), [callSid], 'the ringing names its call');
    assert.equal(of('call.answered').data.agent, 'sato');
    assert.equal(of('call.ended').data.conversation.answered_by, 'sato');
    assert.equal(of('call.ended').data.conversation.customer, 'c001');
    assert.deepEqual([of('wrap_up.saved').data.outcome, of('wrap_up.saved').data.notes], ['resolved', '見積書を再送']);

    const log = await api('GET', `/api/admin/webhooks/${id}/deliveries`);
    assert.equal(log.status, 200);
    const ended = log.body.deliveries.find((d) => d.event_type === 'call.ended');
    assert.deepEqual([ended.status, ended.attempts], ['delivered', 1]);
    assert.equal(ended.id, events.find((e) => e.event.type === 'call.ended').headers['tsunagu-delivery']);
    assert.equal(log.body.deliveries.filter((d) => d.event_type === 'call.ended').length, 1, 'the wrap-up restitch did not end the call twice');
  } finally {
    sato.send({ type: 'set_status', status: { kind: 'offline' } });
    await sato.close();
    await api('DELETE', `/api/admin/webhooks/${id}`);
  }
});

test('the receiver goes down mid-burst and comes back: every event arrives, duplicates only with the same delivery id', async () => {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  const { id, secret } = await subscribe(receiver, ['call.ended', 'call.missed']);
  // Calls nobody answers: each is queued, abandoned, and gives call.ended and call.missed.
  const calls = Array.from({ length: 6 }, () => sid());
  const place = async (callSid) => { await incoming(callSid); await callerLeg(callSid, 'completed', 1, { CallDuration: '5' }); };
  await place(calls[0]);
  await receiver.waitUntil((all) => all.length >= 1, 'the first delivery');
  // Down: first connections closed unanswered, then refused; the rest of the burst arrives meanwhile.
  receiver.mode = 'close';
  await place(calls[1]);
  await place(calls[2]);
  await receiver.stop();
  for (const callSid of calls.slice(3)) await place(callSid);
  await new Promise((resolve) => setTimeout(resolve, 800)); // the outage lasts, whatever the hub does meanwhile
  receiver.mode = 'ok';
  await receiver.restart();

  const expected = calls.length * 2;
  const ofBurst = (all) => all.filter((e) => calls.includes(e.event.data.conversation?.interaction));
  const events = ofBurst(await receiver.waitUntil((all) => new Set(ofBurst(all).map((e) => e.event.id)).size >= expected, `${expected} events`));
  const byDelivery = new Map();
  for (const { headers, body, event } of events) {
    assert.ok(verifySignature(secret, headers['tsunagu-signature'], body));
    const seen = byDelivery.get(headers['tsunagu-delivery']);
    if (seen) assert.equal(seen, event.id, 'a repeated delivery id repeats its event');
    byDelivery.set(headers['tsunagu-delivery'], event.id);
  }
  assert.equal(new Set(byDelivery.values()).size, byDelivery.size, 'one delivery id per event');
  for (const callSid of calls) {
    const types = events.filter((e) => e.event.data.conversation.interaction === callSid).map((e) => e.event.type);
    assert.deepEqual([...new Set(types)].sort(), ['call.ended', 'call.missed'], callSid);
  }
  const missed = events.find((e) => e.event.type === 'call.missed').event;
  assert.equal(missed.data.reason, 'abandoned_in_queue');
  const log = await api('GET', `/api/admin/webhooks/${id}/deliveries`);
  assert.equal(log.body.deliveries.length, expected);
  assert.ok(log.body.deliveries.some((d) => d.attempts > 1), 'some deliveries were retried');
  await api('DELETE', `/api/admin/webhooks/${id}`);
});

test('a receiver down past the retry window: dead letter, then redelivered with the same delivery id', async () => {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  const { id, secret } = await subscribe(receiver, ['call.ended']);
  await receiver.stop();
  const callSid = sid();
  await incoming(callSid);
  await callerLeg(callSid, 'completed', 1, { CallDuration: '5' });

  const deadline = Date.now() + 20_000;
  let delivery;
  while (Date.now() < deadline) {
    [delivery] = (await api('GET', `/api/admin/webhooks/${id}/deliveries`)).body.deliveries;
    if (delivery?.status === 'dead') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(delivery?.status, 'dead', JSON.stringify(delivery));
  assert.ok(delivery.attempts > 2, 'retried before giving up');
  // A refused connection reaches the worker as workerd's own 5xx, or as a fetch error.
  assert.match(delivery.last_error, /HTTP 5\d\d|connection|no answer/);
  assert.equal(delivery.next_attempt_at_ms, null);

  const { session } = await openSession(edge.url, embedToken({ agent: 'not_admin_redeliver', roles: ['supervisor'] }));
  assert.equal((await api('POST', `/api/admin/webhooks/deliveries/${delivery.id}/redeliver`, { session, body: {} })).status, 403);

  await receiver.restart();
  const redelivered = await api('POST', `/api/admin/webhooks/deliveries/${delivery.id}/redeliver`, { body: {} });
  assert.equal(redelivered.status, 200, JSON.stringify(redelivered.body));
  assert.equal(redelivered.body.status, 'delivered');
  assert.equal(redelivered.body.attempts, delivery.attempts + 1);
  const [received] = receiver.events();
  assert.equal(received.headers['tsunagu-delivery'], delivery.id);
  assert.ok(verifySignature(secret, received.headers['tsunagu-signature'], received.body));
  const again = await api('POST', `/api/admin/webhooks/deliveries/${delivery.id}/redeliver`, { body: {} });
  assert.deepEqual([again.status, again.body.error], [409, 'not_dead_letter']);
  await api('DELETE', `/api/admin/webhooks/${id}`);
});

test('D1 refusing the deliveries: the call-log outbox keeps the event and enqueues it once D1 takes writes again', async () => {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  const { id, secret } = await subscribe(receiver, ['call.ended', 'call.missed']);
  await edge.env.DB.prepare(
    "CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries BEGIN SELECT RAISE(ABORT, 'outage'); END",
  ).run();
  const callSid = sid();
  try {
    await incoming(callSid);
    const hangUp = await callerLeg(callSid, 'completed', 1, { CallDuration: '5' });
    assert.equal(hangUp.status, 200, 'Twilio\'s webhook is answered whatever happens to the deliveries');
    // The call's end is in the call log, its deliveries are refused (and retried) meanwhile.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const ended = await edge.env.DB.prepare("SELECT COUNT(*) AS n FROM conversations WHERE id = ? AND ended_at_ms IS NOT NULL").bind(`interaction:${callSid}`).first('n');
      if (ended > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // several retries fail meanwhile
    assert.deepEqual(receiver.events(), [], 'nothing could be enqueued during the outage');
  } finally {
    await edge.env.DB.prepare('DROP TRIGGER refuse_deliveries').run();
  }
  const events = await receiver.waitUntil(
    (all) => ['call.ended', 'call.missed'].every((type) => all.some((e) => e.event.type === type)),
    'ended and missed after the outage',
  );
  for (const { headers, body } of events) assert.ok(verifySignature(secret, headers['tsunagu-signature'], body));
  const log = await api('GET', `/api/admin/webhooks/${id}/deliveries`);
  assert.deepEqual(log.body.deliveries.map((d) => d.event_type).sort(), ['call.ended', 'call.missed'], 'each once');
  await api('DELETE', `/api/admin/webhooks/${id}`);
});
