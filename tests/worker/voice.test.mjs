//! Twilio voice webhooks on workerd: signatures, routing decisions as TwiML, callbacks into the stitched log.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { readCenterSettings, setCenterSettings } from '../support/center-settings.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, logReaderToken, openSession } from '../support/auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000d30';
const MAIN_LINE = '+815012345678';
const YAMADA = '+81355550101'; // c001, owned by sato (sales)

let edge;
let rest;
const signedIn = [];
before(async () => {
  rest = await startRestRecorder();
  edge = await startHarness({ vars: { TWILIO_API_BASE: rest.url } });
});
after(async () => {
  await edge?.close();
  await rest?.close();
});
// Every test starts with nobody available: signed-in agents go offline and leave.
afterEach(async () => {
  for (const client of signedIn.splice(0)) {
    client.send({ type: 'set_status', status: { kind: 'offline' } });
    await client.close();
  }
});

const hook = (name, query = '') => new URL(`/twilio/voice/demo/${name}${query}`, edge.url).href;

async function signIn(agent, team) {
  const { session } = await openSession(edge.url, embedToken({ agent, team }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  signedIn.push(client);
  return client;
}

async function incoming(callSid, from = YAMADA, extra = {}) {
  const params = { ...inboundCallParams({ callSid, from, to: MAIN_LINE, accountSid: ACCOUNT }), ...extra };
  const res = await postWebhook(hook('incoming'), params, { authToken: AUTH_TOKEN });
  return { res, xml: await res.text() };
}

async function dialResult(callSid, attempt, status, dialCallSid) {
  const params = {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound',
    From: YAMADA, To: MAIN_LINE, DialCallStatus: status, DialCallSid: dialCallSid, DialCallDuration: status === 'completed' ? '30' : '0',
  };
  const res = await postWebhook(hook('dial-result', `?attempt=${attempt}&conversation=${callSid}`), params, { authToken: AUTH_TOKEN });
  return { res, xml: await res.text() };
}

async function agentLeg(callSid, agent, legSid, status, sequence, extra = {}) {
  const params = {
    AccountSid: ACCOUNT, CallSid: legSid, ParentCallSid: callSid, CallStatus: status, Direction: 'outbound-dial',
    From: YAMADA, To: `client:${clientIdentity('demo', agent)}`, SequenceNumber: String(sequence), ...extra,
  };
  return postWebhook(hook('agent-status', `?agent=${agent}&conversation=${callSid}`), params, { authToken: AUTH_TOKEN });
}

async function callerLeg(callSid, status, sequence, extra = {}) {
  const params = {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: status, Direction: 'inbound',
    From: YAMADA, To: MAIN_LINE, SequenceNumber: String(sequence), ...extra,
  };
  return postWebhook(hook('status'), params, { authToken: AUTH_TOKEN });
}

const count = async (sql, ...binds) => (await edge.env.DB.prepare(sql).bind(...binds).first('n'));

test('a signed incoming call rings the customer\'s owner: Dial to Client with answerOnBridge, dual recording, next-step action', async () => {
  const sato = await signIn('sato', 'sales');
  const callSid = sid();
  const { res, xml } = await incoming(callSid);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/xml/);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Dial /);
  assert.match(xml, /answerOnBridge="true"/);
  assert.match(xml, /record="record-from-answer-dual"/);
  assert.match(xml, new RegExp(`action="[^"]*/twilio/voice/demo/dial-result\\?attempt=1&amp;conversation=${callSid}"`));
  assert.match(xml, /timeout="15"/, 'the owner step rings for 15 s');
  assert.match(xml, /<Identity>demo_sato<\/Identity>/);
  assert.match(xml, new RegExp(`<Parameter name="conversation" value="${callSid}"/>`));

  const offer = await sato.next('offer');
  assert.equal(offer.conversation, callSid);
  assert.equal(offer.screen_pop.caller_number, YAMADA);
  assert.equal(offer.screen_pop.customer.name, '山田 太郎（山田商事株式会社）');
  assert.equal(offer.screen_pop.customer.owner, 'sato');

  const retry = await incoming(callSid);
  assert.equal(retry.xml, xml, 'a Twilio retry gets the same answer and changes nothing');
  sato.send({ type: 'ack_offer', offer: offer.offer });
  await callerLeg(callSid, 'completed', 1);
});

test('forged, unsigned and replayed-with-changed-parameters webhooks get 403 and change nothing', async () => {
  const before = await count('SELECT COUNT(*) AS n FROM call_events');
  const callSid = sid();
  const params = inboundCallParams({ callSid, from: YAMADA, to: MAIN_LINE, accountSid: ACCOUNT });
  const attempts = [
    postWebhook(hook('incoming'), params, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }),
    postWebhook(hook('incoming'), params, {}),
    postWebhook(hook('incoming'), { ...params, From: '+819099999999' }, { authToken: AUTH_TOKEN, signedParams: params }),
    postWebhook(hook('incoming'), params, { authToken: 'another-accounts-auth-token' }),
    postWebhook(hook('status'), { ...params, CallStatus: 'completed', SequenceNumber: '1' }, { authToken: AUTH_TOKEN, signedParams: params }),
  ];
  for (const res of await Promise.all(attempts)) {
    assert.equal(res.status, 403);
    const body = await res.text();
    assert.deepEqual(JSON.parse(body), { error: 'bad_signature', message: 'invalid Twilio signature' });
    assert.equal(body.includes(callSid), false, 'no echo');
  }
  assert.equal(await count('SELECT COUNT(*) AS n FROM call_events'), before, 'nothing was recorded');
  assert.equal(await count("SELECT COUNT(*) AS n FROM conversations WHERE id = ?", `interaction:${callSid}`), 0);
});

test('a duplicated status callback (Twilio retry, same idempotency token) leaves one leg', async () => {
  const callSid = sid();
  const legSid = sid();
  for (let i = 0; i < 3; i += 1) {
    const res = await agentLeg(callSid, 'ito', legSid, 'ringing', 1);
    assert.equal(res.status, 200);
  }
  await postWebhook(hook('agent-status', `?agent=ito&conversation=${callSid}`), {
    AccountSid: ACCOUNT, CallSid: legSid, ParentCallSid: callSid, CallStatus: 'ringing', Direction: 'outbound-dial',
    From: YAMADA, To: `client:${clientIdentity('demo', 'ito')}`, SequenceNumber: '1',
  }, { authToken: AUTH_TOKEN, idempotencyToken: 'retry-token-1' });
  assert.equal(await count("SELECT COUNT(*) AS n FROM call_events WHERE interaction_id = ? AND kind = 'leg_status'", callSid), 1);
});

test('a full ladder: the owner does not answer, a team member does; one stitched conversation with both legs', async () => {
  const sato = await signIn('sato', 'sales');
  const suzuki = await signIn('suzuki', 'sales');
  const callSid = sid();
  const first = await incoming(callSid);
  assert.match(first.xml, /<Identity>demo_sato<\/Identity>/);
  const satoOffer = await sato.next('offer');
  sato.send({ type: 'ack_offer', offer: satoOffer.offer });

  const satoLeg = sid();
  await agentLeg(callSid, 'sato', satoLeg, 'ringing', 1);
  await agentLeg(callSid, 'sato', satoLeg, 'no-answer', 2);
  const second = await dialResult(callSid, 1, 'no-answer', satoLeg);
  assert.match(second.xml, /<Identity>demo_suzuki<\/Identity>/, 'the next step rings the owner\'s team');
  assert.match(second.xml, /attempt=2&amp;conversation=/);
  const suzukiOffer = await suzuki.next('offer');
  suzuki.send({ type: 'ack_offer', offer: suzukiOffer.offer });
  const satoStatus = await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'sato away');
  assert.deepEqual(satoStatus.status, { kind: 'away', reason: 'no_answer' });

  const suzukiLeg = sid();
  await agentLeg(callSid, 'suzuki', suzukiLeg, 'ringing', 1);
  await agentLeg(callSid, 'suzuki', suzukiLeg, 'in-progress', 2);
  await suzuki.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'suzuki on call');
  await agentLeg(callSid, 'suzuki', suzukiLeg, 'completed', 3, { CallDuration: '30' });
  const last = await dialResult(callSid, 2, 'completed', suzukiLeg);
  assert.match(last.xml, /<Hangup\/>/);
  await callerLeg(callSid, 'completed', 3, { CallDuration: '45' });

  const { session } = await openSession(edge.url, embedToken({ agent: 'suzuki' }));
  const res = await fetch(new URL('/api/conversations?number=03-5555-0101&agent=suzuki', edge.url), {
    headers: { authorization: `Bearer ${session}` },
  });
  const { conversations } = await res.json();
  const mine = conversations.filter((c) => c.root_call_sid === callSid || c.interaction === callSid);
  assert.equal(mine.length, 1, 'one conversation');
  const [conversation] = mine;
  assert.equal(conversation.answered_by, 'suzuki');
  assert.equal(conversation.customer, 'c001');
  assert.deepEqual(conversation.agent_legs.map((leg) => leg.agent).sort(), ['sato', 'suzuki']);
  assert.equal(conversation.outcome, 'answered');

  const kpi = await (await fetch(new URL('/api/kpi?group=agent', edge.url), {
    headers: { authorization: `Bearer ${session}` },
  })).json();
  assert.equal(kpi.group_by, 'agent');
  const suzukiRow = kpi.rows.find((row) => JSON.stringify(row.key).includes('suzuki'));
  assert.ok(suzukiRow, `suzuki has a KPI row: ${JSON.stringify(kpi.rows.map((r) => r.key))}`);
  assert.ok(suzukiRow.answered >= 1, 'the answered call counts for suzuki');
});

test('nobody available: the call queues with position announcements; the first agent to become available gets it via a REST redirect', async () => {
  const callSid = sid();
  const { xml } = await incoming(callSid, '+818055550105'); // c005, owned by tanaka
  assert.match(xml, /<Enqueue [^>]*waitUrl="[^"]*\/queue-wait\?conversation=/);
  const wait = await postWebhook(hook('queue-wait', `?conversation=${callSid}`), {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound', From: '+818055550105',
    QueueSid: 'QU00000000000000000000000000000001', QueuePosition: '1', QueueTime: '5', AvgQueueTime: '5', CurrentQueueSize: '1',
  }, { authToken: AUTH_TOKEN });
  const hold = await wait.text();
  assert.match(hold, /<Say [^>]*language="ja-JP"[^>]*>[^<]*1番目/);
  assert.match(hold, /<Say [^>]*language="en-US"[^>]*>[^<]*number 1 in line/);

  const tanaka = await signIn('tanaka', 'support');
  const offer = await tanaka.next('offer');
  assert.equal(offer.conversation, callSid);
  const redirect = await rest.waitFor((r) => r.path.includes(callSid));
  assert.equal(redirect.method, 'POST');
  assert.equal(redirect.path, `/2010-04-01/Accounts/${ACCOUNT}/Calls/${callSid}.json`);
  assert.match(redirect.form.Url, new RegExp(`/twilio/voice/demo/route\\?conversation=${callSid}$`));
  const [user] = Buffer.from(redirect.authorization.replace('Basic ', ''), 'base64').toString().split(':');
  assert.equal(user, 'SK00000000000000000000000000000d30', 'REST calls authenticate with the API key');

  const routed = await postWebhook(hook('route', `?conversation=${callSid}`), {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound', From: '+818055550105',
  }, { authToken: AUTH_TOKEN });
  assert.match(await routed.text(), /<Identity>demo_tanaka<\/Identity>/);
  tanaka.send({ type: 'ack_offer', offer: offer.offer });
  await callerLeg(callSid, 'completed', 2);
});

test('a call on the legacy number first hears the new number in Japanese, then routes as a main-line call', async () => {
  const callSid = sid();
  const params = inboundCallParams({ callSid, from: YAMADA, to: '+81312345678', accountSid: ACCOUNT });
  const res = await postWebhook(hook('incoming'), params, { authToken: AUTH_TOKEN });
  const xml = await res.text();
  assert.match(xml, /<Say [^>]*language="ja-JP"[^>]*>[^<]*新しい番号は050-1234-5678です/);
  assert.match(xml, /<Redirect>[^<]*\/twilio\/voice\/demo\/incoming\?line=main<\/Redirect>/);
});

test('a widget that never acknowledges the offer (frozen tab) loses it: the next agent rings and Twilio is redirected', async () => {
  const sato = await signIn('sato', 'sales');
  const suzuki = await signIn('suzuki', 'sales');
  const callSid = sid();
  const { xml } = await incoming(callSid, '+81665550102'); // c002, owned by sato
  assert.match(xml, /<Identity>demo_sato<\/Identity>/);
  await sato.next('offer');
  // sato's widget stays silent; the policy gives it 3 s.
  const suzukiOffer = await suzuki.next('offer', 0, 10_000);
  assert.equal(suzukiOffer.conversation, callSid);
  const withdrawn = await sato.next('offer_withdrawn');
  assert.equal(withdrawn.offer.interaction, callSid);
  const satoStatus = await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'sato away');
  assert.deepEqual(satoStatus.status, { kind: 'away', reason: 'missed_offer' });
  const redirect = await rest.waitFor((r) => r.path.includes(callSid));
  assert.match(redirect.form.Url, /\/route\?conversation=/);
  const routed = await postWebhook(hook('route', `?conversation=${callSid}`), {
    AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound', From: '+81665550102',
  }, { authToken: AUTH_TOKEN });
  const next = await routed.text();
  assert.match(next, /<Identity>demo_suzuki<\/Identity>/);
  assert.match(next, /attempt=2&amp;/);
  suzuki.send({ type: 'ack_offer', offer: suzukiOffer.offer });
  await callerLeg(callSid, 'completed', 2);
});

test('a line with hours of its own is closed while the tenant is open: its callers hear why and go to the fallback number, the main line still rings', async () => {
  const admin = (await openSession(edge.url, logReaderToken())).session;
  const api = (method, path, body) => fetch(new URL(path, edge.url), {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // The sales line opens only on a weekday that is not today in Japan; the tenant is always open.
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const todayInJapan = new Date(Date.now() + 9 * 3600_000).getUTCDay();
  const hours = { time_zone: 'Asia/Tokyo', weekly: [{ day: days[(todayInJapan + 3) % 7], open: '09:00', close: '18:00' }] };
  const created = await api('POST', '/api/admin/phone-lines', { number: '050-2222-3333', kind: 'main', hours });
  assert.equal(created.status, 201, await created.text());
  try {
    const listed = await (await api('GET', '/api/admin/phone-lines')).json();
    const line = listed.phone_lines.find((l) => l.number === '+815022223333');
    assert.deepEqual(line.hours.weekly, hours.weekly, 'the line keeps its hours');

    await signIn('sato', 'sales');
    const closedSid = sid();
    const params = inboundCallParams({ callSid: closedSid, from: YAMADA, to: '+815022223333', accountSid: ACCOUNT });
    const closed = await (await postWebhook(hook('incoming'), params, { authToken: AUTH_TOKEN })).text();
    assert.match(closed, /<Say [^>]*language="ja-JP"[^>]*>[^<]*時間外/, closed);
    assert.match(closed, /<Number [^>]*>\+819012340000<\/Number>/, 'the tenant\'s fallback number');
    assert.doesNotMatch(closed, /<Client/, 'nobody is rung on the closed line');

    const openSid = sid();
    const { xml } = await incoming(openSid);
    assert.match(xml, /<Identity>demo_sato<\/Identity>/, 'the main line answers by the tenant\'s hours');
    await callerLeg(openSid, 'completed', 1);
  } finally {
    assert.equal((await api('DELETE', '/api/admin/phone-lines/%2B815022223333')).status, 200);
  }
});

test('outside business hours the call goes to the fallback number with an apology in Japanese first', async () => {
  const original = await readCenterSettings(edge.env.DB, 'demo');
  // Open only on a weekday that is not today in Japan.
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const todayInJapan = new Date(Date.now() + 9 * 3600_000).getUTCDay();
  const closed = {
    fallback_numbers: ['+819012340000'],
    hours: { time_zone: 'Asia/Tokyo', weekly: [{ day: days[(todayInJapan + 3) % 7], open: '09:00', close: '18:00' }] },
  };
  await setCenterSettings(edge.env.DB, 'demo', closed);
  try {
    await signIn('sato', 'sales');
    const callSid = sid();
    const { xml } = await incoming(callSid);
    assert.match(xml, /<Say [^>]*language="ja-JP"[^>]*>[^<]*時間外/);
    assert.match(xml, /<Number [^>]*>\+819012340000<\/Number>/);
    assert.doesNotMatch(xml, /<Client/, 'nobody is rung after hours, even if available');
  } finally {
    await setCenterSettings(edge.env.DB, 'demo', original);
  }
});
