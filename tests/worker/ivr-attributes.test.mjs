//! Customer attributes end to end (issue 14 item 1), with the Twilio double: the seed gives 山田 (c001) `plan = gold`; the admin API stores, reads, searches and refuses attributes per field in Japanese and English; the main line's menu, set through the admin API, branches on `plan` (`branch_attribute`): a gold customer pressing 1 reaches the gold branch's team (tanaka, support) with the branch's label in the screen pop, a stranger and a customer whose plan changed go to `otherwise` (sato, sales).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { agentOnline as agentOnlineOn } from '../support/agents.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { freePort, startDouble } from '../support/double.mjs';
import { assertConforms } from '../support/openapi.mjs';

const LINE = '+815012345678'; // the seed's main line: this test gives it the menu below
const GOLD = '+81355550321'; // made by this test: plan = gold, no owner
const STRANGER = '+81355559321'; // no CRM record

let edge;
let double;
let admin;
const signedIn = [];
before(async () => {
  const port = await freePort();
  edge = await startHarness({
    vars: { TWILIO_API_BASE: `http://127.0.0.1:${port}`, VOICE_BACKEND: 'double', TWILIO_DOUBLE_CLIENT_URL: `ws://127.0.0.1:${port}/_double/client` },
  });
  double = await startDouble({ port, workerUrl: edge.url.href ?? String(edge.url) });
  const token = embedToken({ agent: 'attr_admin', name: 'Attr Admin', roles: ['admin'] });
  admin = (await openSession(edge.url, token)).session;
});
after(async () => {
  await double?.stop();
  await edge?.close();
});
afterEach(async () => {
  for (const online of signedIn.splice(0)) await online.signOff();
});

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${admin}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, edge.url), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** An agent with a widget socket that acknowledges offers and a softphone that rings without answering. */
/** An agent signed in as a live widget is (`tests/support/agents.mjs`), signed off after each test. */
async function agentOnline(agent, team) {
  const online = await agentOnlineOn(edge, double, agent, team);
  signedIn.push(online);
  return online.client;
}

/** Sato (sales) first, the longer idle; then tanaka (support). */
async function office() {
  const sato = await agentOnline('sato', 'sales');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const tanaka = await agentOnline('tanaka', 'support');
  return { sato, tanaka };
}

/** 1 for an enquiry; then gold customers to support, everyone else to sales. */
const MENU = {
  start: 'root',
  nodes: [
    { id: 'root', type: 'gather', prompt: 'お問い合わせは1を押してください。', input: 'dtmf', timeout_secs: 5, max_retries: 1,
      choices: [{ digit: '1', label: '問い合わせ', next: 'plan' }], on_failure: 'bye' },
    { id: 'plan', type: 'branch_attribute', attribute: 'plan', cases: [{ equals: 'gold', next: 'gold' }], otherwise: 'standard' },
    { id: 'gold', label: 'ゴールド窓口', type: 'route', target: { team: 'support' } },
    { id: 'standard', label: '通常窓口', type: 'route', target: { team: 'sales' } },
    { id: 'bye', type: 'hangup', text: 'お電話ありがとうございました。' },
  ],
};

test('customers carry attributes: the seed\'s gold customer, create, read, search, replace; bad ones refused per field in Japanese and English', async () => {
  const seeded = await api('GET', '/api/admin/customers/c001');
  assert.equal(seeded.status, 200, seeded.text);
  assertConforms('Customer', seeded.body);
  assert.deepEqual(seeded.body.attributes, { plan: 'gold' }, 'the seed (migration 0014 + demo.sql)');
  assert.deepEqual((await api('GET', '/api/admin/customers/c002')).body.attributes, {}, 'a customer without any');

  const created = await api('POST', '/api/admin/customers', {
    id: 'attr-gold', name: '金田 一郎', phone: '03-5555-0321', attributes: { ' plan ': 'gold', 区分: '法人' },
  });
  assert.equal(created.status, 201, created.text);
  assertConforms('Customer', created.body);
  assert.deepEqual(created.body.attributes, { plan: 'gold', 区分: '法人' }, 'names and values are trimmed');
  const read = await api('GET', '/api/admin/customers/attr-gold');
  assert.deepEqual(read.body.attributes, { plan: 'gold', 区分: '法人' });
  const found = await api('GET', `/api/admin/customers?q=${encodeURIComponent('金田')}`);
  assertConforms('CustomerPage', found.body);
  assert.deepEqual(found.body.customers.map((c) => c.attributes), [{ plan: 'gold', 区分: '法人' }]);

  const refused = await api('PUT', '/api/admin/customers/attr-gold', {
    name: '金田 一郎', phone: '03-5555-0321', attributes: { plan: '', tier: 'a\nb', rank: 3 },
  });
  assert.equal(refused.status, 422, refused.text);
  assertConforms('Error', refused.body);
  for (const error of refused.body.fields) assert.ok(error.message.ja && error.message.en, JSON.stringify(error));
  assert.deepEqual(refused.body.fields.map((e) => `${e.field} ${e.code}`),
    ['attributes[0].value blank', 'attributes[1].value not_text', 'attributes[2].value control_character']);
  const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, n) => [`k${n}`, 'v']));
  const many = await api('PUT', '/api/admin/customers/attr-gold', { name: '金田 一郎', phone: '03-5555-0321', attributes: tooMany });
  assert.deepEqual(many.body.fields.map((e) => `${e.field} ${e.code} ${e.max}`), ['attributes too_many 20']);
  assert.deepEqual((await api('GET', '/api/admin/customers/attr-gold')).body.attributes, { plan: 'gold', 区分: '法人' }, 'nothing refused was stored');
});

test('a line\'s menu branches on the caller\'s plan: the gold customer reaches support with the branch in the screen pop, a stranger goes to otherwise', async () => {
  const set = await api('PUT', `/api/admin/ivr-menus/${encodeURIComponent(LINE)}`, MENU);
  assert.equal(set.status, 200, set.text);
  const customer = await api('GET', '/api/admin/customers/attr-gold');
  assert.equal(customer.body.phone, GOLD, 'made by the test above');

  const { sato, tanaka } = await office();
  const gold = await double.call(GOLD, LINE, '1');
  const offer = await tanaka.waitFor((m) => m.type === 'offer' && m.conversation === gold, 'the offer to tanaka', 0, 15_000);
  assert.deepEqual(offer.screen_pop.ivr_path, ['問い合わせ', 'ゴールド窓口'], 'the gold branch');
  assert.equal(offer.screen_pop.customer.id, 'attr-gold');
  assert.ok(!sato.messages.some((m) => m.type === 'offer' && m.conversation === gold), 'sato (sales) is not offered it');
  await double.hangup(gold);

  const stranger = await double.call(STRANGER, LINE, '1');
  const other = await sato.waitFor((m) => m.type === 'offer' && m.conversation === stranger, 'the offer to sato', 0, 15_000);
  assert.deepEqual(other.screen_pop.ivr_path, ['問い合わせ', '通常窓口'], 'otherwise');
  assert.ok(!tanaka.messages.some((m) => m.type === 'offer' && m.conversation === stranger), 'tanaka is not offered it');
  await double.hangup(stranger);
});

test('a customer whose plan is changed through the admin API is branched by the new plan on the next call (the hub\'s copy follows)', async () => {
  const changed = await api('PUT', '/api/admin/customers/attr-gold', { name: '金田 一郎', phone: '03-5555-0321', attributes: { plan: 'silver' } });
  assert.equal(changed.status, 200, changed.text);
  const { sato, tanaka } = await office();
  const call = await double.call(GOLD, LINE, '1');
  const offer = await sato.waitFor((m) => m.type === 'offer' && m.conversation === call, 'the offer to sato', 0, 15_000);
  assert.deepEqual(offer.screen_pop.ivr_path, ['問い合わせ', '通常窓口']);
  assert.ok(!tanaka.messages.some((m) => m.type === 'offer' && m.conversation === call), 'not the gold branch any more');
  await double.hangup(call);
});
