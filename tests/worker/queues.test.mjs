//! Named queues with the Twilio double: the admin API creates a queue (its own ladder: support only, a callback key) and puts the main line on it, refusing what the center would refuse; a caller waiting in it hears the bundled hold music (fetched and played for its real length) and the callback prompt, presses 9, hears the number they will be called on and hangs up keeping their place; the free support agent (not the idler sales agent) is offered the callback in the widget, accepts it, is asked to dial the caller, and places that call while reserved for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { agentOnline } from '../support/agents.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { freePort, startDouble } from '../support/double.mjs';

const MAIN_LINE = '+815012345678';
const STRANGER = '+819055550123'; // no CRM record: the queue's ladder alone decides

let edge;
let double;
let admin;
before(async () => {
  const port = await freePort();
  edge = await startHarness({
    vars: { TWILIO_API_BASE: `http://127.0.0.1:${port}`, VOICE_BACKEND: 'double', TWILIO_DOUBLE_CLIENT_URL: `ws://127.0.0.1:${port}/_double/client` },
  });
  double = await startDouble({ port, workerUrl: edge.url.href ?? String(edge.url), timeScale: 0.1 });
  ({ session: admin } = await openSession(edge.url, embedToken({ agent: 'queue_admin', team: 'sales', roles: ['admin'] })));
});
after(async () => {
  await double?.stop();
  await edge?.close();
});

function api(method, route, body, session = admin) {
  return fetch(new URL(route, edge.url), {
    method,
    headers: { authorization: `Bearer ${session}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function refused(res) {
  assert.equal(res.status, 422, await res.clone().text());
  return (await res.json()).fields.map((f) => `${f.field} ${f.code}`);
}

const BILLING = {
  name: { ja: '請求窓口', en: 'Billing' },
  ladder: [{ target: { team: 'support' }, timeout: 20000 }],
  max_wait: 600000,
  overflow: { action: 'keep_waiting' },
  callback_digit: '9',
  required_skills: { billing: 1 },
  priority: 2,
};


test('the admin API keeps queues and lines to what the contact center can run', async () => {
  assert.deepEqual(await refused(await api('PUT', '/api/admin/queues/billing', { ...BILLING, overflow: { action: 'queue', queue: 'nowhere' } })), ['overflow.queue unknown_queue']);
  assert.deepEqual(await refused(await api('PUT', '/api/admin/queues/billing', { ...BILLING, overflow: { action: 'forward', numbers: ['0990-123-456'] } })), ['overflow.numbers[0] refused_by_dial_policy']);
  assert.deepEqual(await refused(await api('PUT', '/api/admin/queues/Billing', BILLING)), ['id invalid_id']);
  assert.deepEqual(await refused(await api('PUT', '/api/admin/queues/billing', {
    ...BILLING, after_hours: { action: 'forward', numbers: ['0990-123-456'] },
  })), ['after_hours.numbers[0] refused_by_dial_policy']);
  // A queue keeps hours of its own and what it does while closed.
  const night = { time_zone: 'Asia/Tokyo', weekly: [{ day: 'mon', open: '09:00', close: '18:00' }], closed_on_national_holidays: true, year_end_closure: true, closures: [] };
  const nightly = await api('PUT', '/api/admin/queues/night', { ...BILLING, hours: night, after_hours: { action: 'announce' } });
  assert.equal(nightly.status, 200, await nightly.clone().text());
  const stored = (await (await api('GET', '/api/admin/queues')).json()).queues.find((q) => q.id === 'night');
  assert.deepEqual([stored.hours, stored.after_hours], [night, { action: 'announce' }]);
  assert.equal((await api('DELETE', '/api/admin/queues/night')).status, 200);
  const saved = await api('PUT', '/api/admin/queues/billing', BILLING);
  assert.equal(saved.status, 200, await saved.clone().text());
  // A queue that would send callers back where they came from is refused.
  assert.equal((await api('PUT', '/api/admin/queues/spill', { ...BILLING, overflow: { action: 'queue', queue: 'billing' } })).status, 200);
  assert.deepEqual(await refused(await api('PUT', '/api/admin/queues/billing', { ...BILLING, overflow: { action: 'queue', queue: 'spill' } })), ['overflow.queue overflow_loop']);
  assert.equal((await api('DELETE', '/api/admin/queues/spill')).status, 200);

  const lines = (await (await api('GET', '/api/admin/phone-lines')).json()).phone_lines;
  const main = lines.find((line) => line.number === MAIN_LINE);
  assert.ok(main, JSON.stringify(lines));
  assert.deepEqual(await refused(await api('PUT', `/api/admin/phone-lines/${encodeURIComponent(MAIN_LINE)}`, { ...main, queue: 'nope' })), ['queue unknown_queue']);
  const put = await api('PUT', `/api/admin/phone-lines/${encodeURIComponent(MAIN_LINE)}`, { ...main, queue: 'billing' });
  assert.equal(put.status, 200, await put.clone().text());
  assert.deepEqual(await refused(await api('DELETE', '/api/admin/queues/billing')), ['id queue_in_use']);
  const listed = (await (await api('GET', '/api/admin/queues')).json()).queues;
  assert.deepEqual(listed.map((q) => [q.id, q.callback_digit, q.ladder[0].target, q.required_skills, q.priority]), [['billing', '9', { team: 'support' }, { billing: 1 }, 2]]);

  const music = await fetch(new URL('/media/hold-music.wav', edge.url));
  assert.equal(music.headers.get('content-type'), 'audio/wav');
  assert.equal(Buffer.from(await music.arrayBuffer()).subarray(0, 4).toString(), 'RIFF');
});

test('a waiting caller presses 9, keeps their place, and the support agent who takes it calls them back', async () => {
  const sato = await agentOnline(edge, double, 'sato', 'sales');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const tanaka = await agentOnline(edge, double, 'tanaka', 'support');
  tanaka.client.send({ type: 'set_status', status: { kind: 'away', reason: 'break' } });
  await tanaka.client.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'tanaka away');

  const callSid = await double.call(STRANGER, MAIN_LINE);
  // Waiting: the hold names the place, plays the bundled tune, offers the callback key.
  const held = await double.waitForCall(callSid, (state) => state.events.some((e) => e.kind === 'play'), 'the hold music');
  const hold = held.events.find((e) => e.kind === 'webhook' && /queue-wait/.test(e.url) && e.twiml);
  assert.ok(hold, JSON.stringify(held.events.slice(0, 12)));
  assert.match(hold.twiml, /<Gather[^>]*queue-key/);
  assert.match(hold.twiml, /1番目/);
  assert.match(hold.twiml, /9を押してください/);
  assert.match(hold.twiml, /<Play>[^<]*\/media\/hold-music\.wav<\/Play>/);
  assert.ok(!sato.client.messages.some((m) => m.type === 'offer'), 'sato (sales) is free but outside the queue\'s ladder');

  await double.digits(callSid, '9');
  const done = await double.waitForCall(callSid, (state) => state.status === 'completed', 'the caller hangs up after the confirmation', 30_000);
  const confirmation = done.events.find((e) => e.kind === 'webhook' && /queue-result/.test(e.url));
  assert.match(confirmation?.twiml ?? '', /折り返し|お電話いたします/, JSON.stringify(done.events.slice(-8)));
  assert.match(confirmation.twiml, /090、5555、0123/);

  // The caller is gone but kept their place: tanaka comes back and is offered the callback.
  const since = tanaka.client.messages.length;
  tanaka.client.send({ type: 'set_status', status: { kind: 'available' } });
  const offer = await tanaka.client.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the callback offer', since, 15_000);
  assert.equal(offer.screen_pop.callback, STRANGER);
  assert.deepEqual(offer.screen_pop.skills, [{ skill: 'billing', level: 1 }], 'the queue\'s skill');
  tanaka.client.send({ type: 'accept_offer', offer: offer.offer });
  const dial = await tanaka.client.waitFor((m) => m.type === 'dial_request', 'the widget asked to dial', since, 5_000);
  assert.deepEqual([dial.to, dial.to_display, dial.confirm], [STRANGER, '090-5555-0123', false]);

  // Reserved for the callback: another number is refused, the caller's is placed (the widget's
  // click-to-call, through the dial policy like every outbound call).
  const other = await api('POST', '/api/calls', { to: '03-5555-0101' }, tanaka.session);
  assert.equal(other.status, 409, await other.clone().text());
  const placed = await api('POST', '/api/calls', { to: STRANGER }, tanaka.session);
  assert.ok(placed.ok, await placed.clone().text());
  await tanaka.client.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'tanaka on the call back', since, 10_000);

  for (const agent of [sato, tanaka]) await agent.signOff();
});

test('a line closed on national holidays takes a message on a substitute holiday (振替休日, 2027-03-22), by its own after-hours rule; a working day routes as usual', async () => {
  const lines = (await (await api('GET', '/api/admin/phone-lines')).json()).phone_lines;
  const main = lines.find((line) => line.number === MAIN_LINE);
  const hours = { time_zone: 'Asia/Tokyo', weekly: null, closed_on_national_holidays: true, year_end_closure: false, closures: [] };
  const afterHours = { action: 'voicemail', prompt: '本日は休業日です。ご用件をお話しください。', max_length_secs: 90 };
  const put = await api('PUT', `/api/admin/phone-lines/${encodeURIComponent(MAIN_LINE)}`, { ...main, hours, after_hours: afterHours });
  assert.equal(put.status, 200, await put.clone().text());
  assert.deepEqual((await put.json()).after_hours, afterHours);
  // A forward number the dial policy refuses is refused on the line too.
  assert.deepEqual(await refused(await api('PUT', `/api/admin/phone-lines/${encodeURIComponent(MAIN_LINE)}`, {
    ...main, after_hours: { action: 'forward', numbers: ['0990-123-456'] },
  })), ['after_hours.numbers[0] refused_by_dial_policy']);

  const dryRun = async (at) => {
    const res = await api('POST', '/api/routing/dry-run', { from: STRANGER, to: MAIN_LINE, at });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };
  // 春分の日 2027-03-21 is a Sunday: Monday the 22nd is its substitute holiday.
  const holiday = await dryRun(Date.parse('2027-03-22T10:00:00+09:00'));
  assert.equal(holiday.plan, 'menu_end', JSON.stringify(holiday));
  assert.deepEqual(holiday.plan_detail.outcome.end, { kind: 'voicemail', prompt: afterHours.prompt, max_length_secs: 90 });
  const workday = await dryRun(Date.parse('2027-03-23T10:00:00+09:00'));
  assert.notEqual(workday.plan, 'menu_end', JSON.stringify(workday));
});
