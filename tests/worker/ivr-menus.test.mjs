//! IVR menus per line through the admin API on workerd: the seeded demo line's menu, setting a
//! menu (validated: every mistake at once, per node and field, in Japanese and English), lines of
//! other numbers and tenants, removal, and a menu going with its line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { assertConforms } from '../support/openapi.mjs';

const IVR_LINE = '+815012345679';

let edge;
let admin;
before(async () => {
  edge = await startHarness();
  const token = embedToken({ agent: 'ivr_admin', name: 'IVR Admin', roles: ['admin'] });
  admin = (await openSession(edge.url, token)).session;
});
after(async () => { await edge?.close(); });

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${admin}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, edge.url), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** A small valid menu: 1 routes, anything else twice hangs up. */
function menu(prompt = '1を押してください。') {
  return {
    start: 'root',
    nodes: [
      { id: 'root', type: 'gather', prompt, input: 'dtmf', timeout_secs: 5, max_retries: 1,
        choices: [{ digit: '1', label: '一', next: 'team' }], on_failure: 'bye' },
      { id: 'team', label: 'サポート', type: 'route', target: { team: 'support' } },
      { id: 'bye', type: 'hangup', text: 'お電話ありがとうございました。' },
    ],
  };
}

test('the demo IVR line has its Japanese menu, and it passes validation as it is', async () => {
  const read = await api('GET', `/api/admin/ivr-menus/${encodeURIComponent(IVR_LINE)}`);
  assert.equal(read.status, 200, read.text);
  assertConforms('LineIvrMenu', read.body);
  assert.equal(read.body.number, IVR_LINE);
  const root = read.body.menu.nodes.find((node) => node.id === 'root');
  assert.match(root.prompt, /請求は1、予約は2/);
  assert.deepEqual(root.choices.map((c) => [c.digit, c.label]), [['1', '請求'], ['2', '予約'], ['9', 'もう一度']]);
  // Written back unchanged, the seed's menu is accepted: the seed holds a valid menu.
  const again = await api('PUT', `/api/admin/ivr-menus/050-1234-5679`, read.body.menu);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body.menu, read.body.menu);
  // The existing lines have no menu.
  assert.equal((await api('GET', '/api/admin/ivr-menus/+815012345678')).status, 404);
});

test('a menu is set, read back and removed; the line goes, its menu goes with it', async () => {
  const line = (await api('POST', '/api/admin/phone-lines', { number: '06-6555-0310', kind: 'main' }));
  assert.equal(line.status, 201, line.text);
  const set = await api('PUT', '/api/admin/ivr-menus/%2B81665550310', menu());
  assert.equal(set.status, 200, set.text);
  assertConforms('LineIvrMenu', set.body);
  assert.deepEqual(set.body, { number: '+81665550310', menu: menu() });
  const changed = await api('PUT', '/api/admin/ivr-menus/06-6555-0310', menu('1番を押してください。'));
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await api('GET', '/api/admin/ivr-menus/+81665550310')).body.menu.nodes[0].prompt, '1番を押してください。');

  assert.equal((await api('DELETE', '/api/admin/ivr-menus/+81665550310')).status, 200);
  assert.equal((await api('GET', '/api/admin/ivr-menus/+81665550310')).status, 404);
  assert.equal((await api('DELETE', '/api/admin/ivr-menus/+81665550310')).status, 404);

  assert.equal((await api('PUT', '/api/admin/ivr-menus/+81665550310', menu())).status, 200);
  assert.equal((await api('DELETE', '/api/admin/phone-lines/+81665550310')).status, 200);
  assert.equal((await api('POST', '/api/admin/phone-lines', { number: '06-6555-0310', kind: 'main' })).status, 201);
  assert.equal((await api('GET', '/api/admin/ivr-menus/+81665550310')).status, 404, 'a new line with an old number starts without the old menu');
});

test('a number that is no line of the tenant, or no number at all, has no menu to set', async () => {
  assert.equal((await api('PUT', '/api/admin/ivr-menus/+81665550399', menu())).status, 404);
  assert.equal((await api('PUT', '/api/admin/ivr-menus/not-a-number', menu())).status, 404);
  assert.equal((await api('GET', '/api/admin/ivr-menus/+81665550399')).status, 404);
});

test('every mistake of a menu is refused at once, per node index and field, in Japanese and English', async () => {
  const broken = menu();
  broken.nodes[0].max_retries = undefined;       // a gather without a retry limit
  broken.nodes[0].choices.push({ digit: '1', label: '二', next: 'nowhere' });
  broken.nodes.push({ id: 'orphan', type: 'hangup' });
  const refused = await api('PUT', `/api/admin/ivr-menus/${encodeURIComponent(IVR_LINE)}`, broken);
  assert.equal(refused.status, 422, refused.text);
  assertConforms('Error', refused.body);
  for (const error of refused.body.fields) assert.ok(error.message.ja && error.message.en, JSON.stringify(error));
  assert.deepEqual(refused.body.fields.map((e) => `${e.field} ${e.code} ${e.problem.code}`), [
    'nodes[0].max_retries ivr_menu missing_retry_limit',
    'nodes[0].choices[1].digit ivr_menu duplicate',
    'nodes[0].choices[1].next ivr_menu unknown_node',
  ]);

  // Graph mistakes once the references resolve: the orphan is unreachable.
  const orphaned = menu();
  orphaned.nodes.push({ id: 'orphan', type: 'hangup' });
  const unreachable = await api('PUT', `/api/admin/ivr-menus/${encodeURIComponent(IVR_LINE)}`, orphaned);
  assert.deepEqual(unreachable.body.fields.map((e) => `${e.field} ${e.problem.code}`), ['nodes[3].id unreachable']);
  assert.equal(unreachable.body.fields[0].message.ja, '開始ノードからたどり着けないノードです。');

  const shapeless = await api('PUT', `/api/admin/ivr-menus/${encodeURIComponent(IVR_LINE)}`, { start: 'a', nodes: [{ id: 'a', type: 'dance' }] });
  assert.deepEqual(shapeless.body.fields.map((e) => `${e.field}|${e.problem.code}`), ['|malformed']);
  const notObject = await api('PUT', `/api/admin/ivr-menus/${encodeURIComponent(IVR_LINE)}`, [1, 2]);
  assert.deepEqual(notObject.body.fields.map((e) => e.code), ['not_an_object']);

  // Nothing refused was stored: the demo menu is still there.
  const still = await api('GET', `/api/admin/ivr-menus/${encodeURIComponent(IVR_LINE)}`);
  assert.match(still.body.menu.nodes.find((node) => node.id === 'root').prompt, /請求は1/);
});
