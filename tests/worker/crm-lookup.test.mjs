//! The live CRM lookup (issue 13 item 9): at routing time the hub asks the tenant's CRM who is calling, signed like a webhook; the CRM's answer routes the call and fills the screen pop; a CRM that is slow (past 800 ms) or failing leaves the call to the directory; the answer's attributes are what the line's IVR menu branches on; an unsigned question is never sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startHarness } from '../support/harness.mjs';
import { logReaderToken, openSession } from '../support/auth.mjs';
import { sid } from '../support/twilio.mjs';
import { MAIN_LINE, demoCalls, signInAgent, signOutAgents, verifyTsunaguSignature } from '../support/demo-calls.mjs';

const SECRET = 'crm-lookup-secret-0123456789abcdef';
/** Known to the CRM only: 青木 拓也 of 青木建設, whose owner there is suzuki. */
const AOKI = '+81312345678';
/** In the directory: 小林 誠 (c003, owner suzuki) and 加藤 恵 (c004, owner takahashi). */
const KOBAYASHI = '+819055550103';
const KATO = '+815055550104';

/** The CRM's lookup endpoint: records each request; answers per caller number, or holds the
 *  answer until the test releases it (a CRM slower than the budget, without a sleep). */
class CrmStandIn {
  constructor() {
    this.requests = [];
    this.answers = new Map();
    this.held = [];
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const request = { headers: req.headers, body, json: JSON.parse(body) };
        this.requests.push(request);
        const answer = this.answers.get(request.json.caller) ?? { status: 200, body: { customer: null } };
        const reply = () => {
          request.replied = true;
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer.body));
        };
        if (answer.hold) this.held.push(reply); else reply();
      });
    });
  }
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}/tsunagu/lookup`;
  }
  release() { for (const reply of this.held.splice(0)) reply(); }
  stop() { this.release(); return new Promise((resolve) => this.server.close(resolve)); }
}

let edge;
let crm;
let admin;
let calls;
let agents = [];
before(async () => {
  crm = new CrmStandIn();
  await crm.start();
  edge = await startHarness();
  calls = demoCalls(edge.url);
  admin = (await openSession(edge.url, logReaderToken())).session;
});
after(async () => {
  await signOutAgents(agents).catch(() => {});
  await edge?.close();
  await crm?.stop();
});

async function api(method, path, body) {
  const res = await fetch(new URL(path, edge.url), {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

test('a caller only the CRM knows rings the owner the CRM names, with its card; the question is signed; a redial within a minute is not asked again', async () => {
  const settings = await api('GET', '/api/admin/settings');
  assert.equal(settings.status, 200, settings.text);
  assert.equal(settings.body.crm_lookup_url, null, 'off by default');
  const secret = await api('PUT', '/api/admin/secrets/crm_lookup_secret', { value: SECRET });
  assert.equal(secret.status, 200, secret.text);
  const put = await api('PUT', '/api/admin/settings', { ...settings.body, crm_lookup_url: crm.url });
  assert.equal(put.status, 200, put.text);
  assert.equal((await api('GET', '/api/admin/settings')).body.crm_lookup_url, crm.url);
  crm.answers.set(AOKI, { status: 200, body: { customer: { id: 'crm-77', name: '青木 拓也', company: '青木建設', owner: 'suzuki' } } });

  // Takahashi has waited longest: without the CRM's owner she would be rung.
  const takahashi = await signInAgent(edge.url, 'takahashi', 'sales');
  const suzuki = await signInAgent(edge.url, 'suzuki', 'sales');
  agents = [takahashi, suzuki];

  const callSid = sid();
  const ring = await calls.incoming(callSid, AOKI);
  assert.equal(ring.status, 200, ring.xml);
  assert.match(ring.xml, /<Identity>demo_suzuki<\/Identity>/, 'the owner the CRM names is rung');
  const offer = await suzuki.next('offer');
  assert.equal(offer.screen_pop.customer.name, '青木 拓也（青木建設）', JSON.stringify(offer.screen_pop));
  assert.equal(offer.screen_pop.customer.owner, 'suzuki');
  assert.equal(crm.requests.length, 1);
  const [asked] = crm.requests;
  assert.deepEqual(asked.json, { type: 'caller.lookup', tenant: 'demo', caller: AOKI, called: MAIN_LINE, call_sid: callSid });
  assert.ok(verifyTsunaguSignature(SECRET, asked.headers['tsunagu-signature'], asked.body), 'signed with the tenant\'s lookup secret');
  assert.equal(verifyTsunaguSignature('another-secret-0123456789abcdef', asked.headers['tsunagu-signature'], asked.body), false);
  await calls.callerLeavesWhileRinging(suzuki, offer, callSid, AOKI);

  const again = sid();
  const since = suzuki.mark();
  assert.match((await calls.incoming(again, AOKI)).xml, /<Identity>demo_suzuki<\/Identity>/);
  await calls.callerLeavesWhileRinging(suzuki, await suzuki.next('offer', since), again, AOKI);
  assert.equal(crm.requests.length, 1, 'the answer was kept for the redial');
});

test('a CRM slower than the budget: the call is answered first, from the directory', async () => {
  const [, suzuki] = agents;
  crm.answers.set(KOBAYASHI, { status: 200, hold: true, body: { customer: { id: 'late', name: '遅い 応答', owner: 'takahashi' } } });
  const callSid = sid();
  const since = suzuki.mark();
  const ring = await calls.incoming(callSid, KOBAYASHI);
  const pending = crm.requests.at(-1);
  assert.equal(pending.json.caller, KOBAYASHI, 'the CRM was asked');
  assert.equal(pending.replied, undefined, 'and the call was answered before the CRM answered');
  assert.match(ring.xml, /<Identity>demo_suzuki<\/Identity>/, 'the directory\'s owner');
  const offer = await suzuki.next('offer', since);
  assert.equal(offer.screen_pop.customer.name, '小林 誠（小林工業）');
  crm.release();
  await calls.callerLeavesWhileRinging(suzuki, offer, callSid, KOBAYASHI);
});

test('a CRM that fails (HTTP 500): the call goes on from the directory', async () => {
  const [takahashi] = agents;
  crm.answers.set(KATO, { status: 500, body: { error: 'down' } });
  const asked = crm.requests.length;
  const callSid = sid();
  const since = takahashi.mark();
  const ring = await calls.incoming(callSid, KATO);
  assert.equal(crm.requests.length, asked + 1);
  assert.match(ring.xml, /<Identity>demo_takahashi<\/Identity>/, 'the directory\'s owner');
  const offer = await takahashi.next('offer', since);
  assert.equal(offer.screen_pop.customer.name, '加藤 恵（カトウ不動産）');
  await calls.callerLeavesWhileRinging(takahashi, offer, callSid, KATO);
});

test('the CRM\'s answer may carry attributes, and the line\'s menu branches on them rather than on the directory\'s', async () => {
  const [takahashi, suzuki] = agents;
  // The main line's menu for this test: gold customers to takahashi, everyone else to suzuki.
  const menu = {
    start: 'plan',
    nodes: [
      { id: 'plan', type: 'branch_attribute', attribute: 'plan', cases: [{ equals: 'gold', next: 'gold' }], otherwise: 'standard' },
      { id: 'gold', label: 'ゴールド', type: 'route', target: { agent: 'takahashi' } },
      { id: 'standard', label: '通常', type: 'route', target: { agent: 'suzuki' } },
    ],
  };
  const set = await api('PUT', `/api/admin/ivr-menus/${encodeURIComponent(MAIN_LINE)}`, menu);
  assert.equal(set.status, 200, set.text);
  try {
    const vip = '+81355550777'; // known to the CRM only
    crm.answers.set(vip, { status: 200, body: { customer: { id: 'crm-gold', name: '金井 花子', attributes: { plan: 'gold' } } } });
    const gold = sid();
    const since = takahashi.mark();
    const ring = await calls.incoming(gold, vip);
    assert.match(ring.xml, /<Identity>demo_takahashi<\/Identity>/, 'the gold branch, by the CRM\'s attribute');
    const offer = await takahashi.next('offer', since);
    assert.deepEqual(offer.screen_pop.ivr_path, ['ゴールド']);
    await calls.callerLeavesWhileRinging(takahashi, offer, gold, vip);

    // 山田 (c001) is plan = gold in the directory; the CRM answers him without attributes, and its
    // answer wins as a whole.
    const yamada = '+81355550101';
    crm.answers.set(yamada, { status: 200, body: { customer: { id: 'c001', name: '山田 太郎' } } });
    const plain = sid();
    const before = suzuki.mark();
    const other = await calls.incoming(plain, yamada);
    assert.match(other.xml, /<Identity>demo_suzuki<\/Identity>/, 'otherwise');
    const second = await suzuki.next('offer', before);
    assert.deepEqual(second.screen_pop.ivr_path, ['通常']);
    await calls.callerLeavesWhileRinging(suzuki, second, plain, yamada);
  } finally {
    assert.equal((await api('DELETE', `/api/admin/ivr-menus/${encodeURIComponent(MAIN_LINE)}`)).status, 200);
  }
});

test('turning the lookup off and on again takes effect from the next call (the running hub keeps no old URL)', async () => {
  const [takahashi] = agents;
  const settings = (await api('GET', '/api/admin/settings')).body;
  assert.equal(settings.crm_lookup_url, crm.url);
  const ringKato = async () => {
    const callSid = sid();
    const since = takahashi.mark();
    assert.match((await calls.incoming(callSid, KATO)).xml, /<Identity>demo_takahashi<\/Identity>/);
    await calls.callerLeavesWhileRinging(takahashi, await takahashi.next('offer', since), callSid, KATO);
  };
  crm.answers.set(KATO, { status: 200, body: { customer: null } });
  assert.equal((await api('PUT', '/api/admin/settings', { ...settings, crm_lookup_url: null })).status, 200);
  const asked = crm.requests.length;
  await ringKato();
  assert.equal(crm.requests.length, asked, 'off: not asked');
  assert.equal((await api('PUT', '/api/admin/settings', { ...settings, crm_lookup_url: crm.url })).status, 200);
  await ringKato();
  assert.equal(crm.requests.length, asked + 1, 'on again: asked');
  assert.equal(crm.requests.at(-1).json.caller, KATO);
});

test('without a lookup secret the CRM is never asked (no unsigned question)', async () => {
  assert.equal((await api('DELETE', '/api/admin/secrets/crm_lookup_secret')).status, 200);
  const stranger = '+81398765432';
  crm.answers.set(stranger, { status: 200, body: { customer: { id: 'crm-78', name: '未署名 太郎', owner: 'suzuki' } } });
  const asked = crm.requests.length;
  const callSid = sid();
  const marks = agents.map((client) => client.mark());
  const ring = await calls.incoming(callSid, stranger);
  assert.equal(ring.status, 200, ring.xml);
  assert.equal(crm.requests.length, asked, 'not asked');
  // An unknown caller: whoever has waited longest, with no card.
  const rung = ['takahashi', 'suzuki'].findIndex((agent) => ring.xml.includes(`<Identity>demo_${agent}</Identity>`));
  assert.ok(rung >= 0, ring.xml);
  const offer = await agents[rung].next('offer', marks[rung]);
  assert.ok(!offer.screen_pop.customer, JSON.stringify(offer.screen_pop));
  await calls.callerLeavesWhileRinging(agents[rung], offer, callSid, stranger);
});
