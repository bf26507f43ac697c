//! Customer CSV import and export on workerd: a Shift_JIS file with bad rows (dry run lists them,
//! the import writes nothing), the fixed file imported all-or-nothing, a call from an imported
//! number popping the customer's card, another tenant untouched, export → import changing nothing
//! (UTF-8 and Shift_JIS), attribute columns (`属性:plan`) setting, clearing and exporting customers'
//! attributes, 10,000 rows in one request, the route's body cap, and who may call these routes.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { HubClient } from '../support/socket.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';
import { assertConforms } from '../support/openapi.mjs';
import { decodeShiftJis, encodeShiftJis } from '../support/shift-jis.mjs';

const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const ACCOUNT = 'AC00000000000000000000000000000d30';
const MAIN_LINE = '+815012345678';

let edge;
let rest;
let admin;
const signedIn = [];
before(async () => {
  rest = await startRestRecorder();
  edge = await startHarness({ vars: { TWILIO_API_BASE: rest.url } });
  admin = await sessionOf(['admin']);
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
});

async function sessionOf(roles) {
  const token = embedToken({ agent: `csv_${roles.join('_')}`, name: 'CSV', roles });
  return (await openSession(edge.url, token)).session;
}

/** POSTs a file to the import route; returns { status, body }. */
async function importCsv(bytes, { dryRun, bearer = admin, contentType = 'text/csv', query = '' } = {}) {
  const headers = { 'content-type': contentType };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const dry = dryRun === undefined ? '' : `?dry_run=${dryRun}`;
  const res = await fetch(new URL(`/api/admin/customers/import${dry}${query}`, edge.url), { method: 'POST', headers, body: bytes });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

async function exportCsv(charset, bearer = admin) {
  const query = charset ? `?charset=${charset}` : '';
  const res = await fetch(new URL(`/api/admin/customers/export${query}`, edge.url), { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()) };
}

const count = async (sql, ...binds) => (await edge.env.DB.prepare(sql).bind(...binds).first('n'));

/** `line field code` per bad row, after checking each has both languages and its column. */
function problems(report) {
  for (const problem of report.errors) {
    assert.ok(problem.message.ja && problem.message.en, JSON.stringify(problem));
  }
  return report.errors.map((p) => `${p.line} ${p.column ?? '-'} ${p.field} ${p.code}`);
}

const HEADER = '顧客ID,お客様名,会社名,電話番号,担当者,備考\r\n';
const GOOD_ROWS = [
  'k101,木村 健,木村商店,03-5555-0201,佐藤　花子,担当者は表示名でも\r\n',
  'k102,斉藤 優,,０９０－５５５５－０２０２,suzuki,全角の番号\r\n',
  'c001,山田 太郎,山田商事株式会社,03-5555-0101,sato,既存・変更なし\r\n',
];
const BAD_ROWS = [
  'k103,,空の名前,03-5555-0203,,\r\n',
  'k104,番号違い,,12345,,\r\n',
  'k105,重複,,(03) 5555-0201,,\r\n',
  'k106,担当不明,,03-5555-0206,yamada,\r\n',
];

test('a Shift_JIS file with bad rows: the dry run lists every one, and the import writes nothing', async () => {
  const file = encodeShiftJis(HEADER + GOOD_ROWS.join('') + BAD_ROWS.join(''));
  const dry = await importCsv(file, { dryRun: true });
  assert.equal(dry.status, 200, dry.text);
  assertConforms('CustomerImport', dry.body);
  assert.equal(dry.body.dry_run, true);
  assert.equal(dry.body.written, false);
  assert.equal(dry.body.charset, 'shift_jis', 'detected: not UTF-8');
  assert.equal(dry.body.rows, 7);
  assert.deepEqual(dry.body.created, ['k101', 'k102']);
  assert.deepEqual(dry.body.updated, []);
  assert.equal(dry.body.unchanged, 1);
  assert.deepEqual(dry.body.columns.map((c) => `${c.column}:${c.field}`),
    ['顧客ID:id', 'お客様名:name', '会社名:company', '電話番号:phone', '担当者:owner', '備考:null']);
  assert.deepEqual(problems(dry.body), [
    '5 お客様名 name blank',
    '6 電話番号 phone invalid_phone',
    '7 電話番号 phone duplicate_in_file',
    '8 担当者 owner unknown_agent',
  ]);
  assert.equal(dry.body.errors[2].first_line, 2);
  assert.equal(dry.body.errors[3].message.ja, '存在しないエージェントです');
  assert.equal(await count("SELECT COUNT(*) AS n FROM customers WHERE id LIKE 'k1%'"), 0, 'a dry run writes nothing');

  const refused = await importCsv(file, { dryRun: false });
  assert.equal(refused.status, 422, refused.text);
  assertConforms('Error', refused.body);
  assert.equal(refused.body.error, 'invalid_rows');
  assert.deepEqual(problems(refused.body.report), problems(dry.body), 'the same report');
  assert.equal(await count("SELECT COUNT(*) AS n FROM customers WHERE id LIKE 'k1%'"), 0, 'all or nothing');

  const undecodable = await importCsv(Uint8Array.from([0x82, 0x20, 0x0d, 0x0a]), { dryRun: true });
  assert.equal(undecodable.status, 422);
  assert.deepEqual(undecodable.body.fields.map((f) => `${f.field} ${f.code}`), ['file not_decodable']);
  const mislabelled = await importCsv(file, { dryRun: true, contentType: 'text/csv; charset=utf-8' });
  assert.deepEqual(mislabelled.body.fields.map((f) => `${f.field} ${f.code}`), ['file not_decodable'], 'a declared charset wins');
  const noPhone = await importCsv(new TextEncoder().encode('氏名,会社名\r\n木村,木村商店\r\n'), { dryRun: true });
  assert.deepEqual(noPhone.body.fields.map((f) => `${f.field} ${f.code}`), ['columns.phone missing_column']);
  assert.deepEqual((await importCsv(file, { dryRun: 'maybe' })).body.fields.map((f) => f.field), ['dry_run']);
});

test('the fixed file imports in one go, a call from an imported number pops its card, and importing it again changes nothing', async () => {
  const fixed = [
    'k103,小松 梢,空の名前,03-5555-0203,,\r\n',
    'k104,番号違い,,06-5555-0204,,\r\n',
    ',大野 聡,大野設計,(03) 5555-0205,,ID なしの行\r\n',
    'k106,担当不明,,03-5555-0206,ito,\r\n',
  ];
  // Another tenant with the same id and number: the import neither sees nor touches it.
  const db = edge.env.DB;
  await db.batch([
    db.prepare("INSERT INTO tenants (id, name_ja, name_en) VALUES ('acme', 'アクメ', 'Acme')"),
    db.prepare("INSERT INTO customers (tenant_id, id, name, phone_e164) VALUES ('acme', 'k101', 'Acme customer', '+81355550201')"),
  ]);
  const file = encodeShiftJis(HEADER + GOOD_ROWS.join('') + fixed.join(''));
  const imported = await importCsv(file, { dryRun: false, contentType: 'text/csv; charset=Shift_JIS' });
  assert.equal(imported.status, 200, imported.text);
  assertConforms('CustomerImport', imported.body);
  assert.equal(imported.body.written, true);
  assert.deepEqual(imported.body.created, ['k101', 'k102', 'k103', 'k104', 'tel-81355550205', 'k106']);
  assert.deepEqual(imported.body.errors, []);
  const row = await edge.env.DB.prepare("SELECT name, company, phone_e164, owner_agent_id FROM customers WHERE tenant_id = 'demo' AND id = 'k101'").first();
  assert.deepEqual({ ...row }, { name: '木村 健', company: '木村商店', phone_e164: '+81355550201', owner_agent_id: 'sato' });
  const acme = await db.prepare("SELECT name FROM customers WHERE tenant_id = 'acme' AND id = 'k101'").first('name');
  assert.equal(acme, 'Acme customer', 'tenant isolation');

  // Sato owns k101: a call from its number rings sato with the card.
  const { session } = await openSession(edge.url, embedToken({ agent: 'sato', team: 'sales' }));
  const sato = await HubClient.connect(edge.url, 'demo', session);
  await sato.next('welcome');
  signedIn.push(sato);
  const callSid = sid();
  const params = inboundCallParams({ callSid, from: '+81355550201', to: MAIN_LINE, accountSid: ACCOUNT });
  const res = await postWebhook(new URL('/twilio/voice/demo/incoming', edge.url).href, params, { authToken: AUTH_TOKEN });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<Identity>demo_sato<\/Identity>/, 'the imported owner is rung first');
  const offer = await sato.next('offer');
  assert.equal(offer.screen_pop.customer.name, '木村 健（木村商店）');
  assert.equal(offer.screen_pop.customer.owner, 'sato');
  sato.send({ type: 'ack_offer', offer: offer.offer });

  const again = await importCsv(file, { dryRun: false });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual([again.body.created, again.body.updated, again.body.unchanged], [[], [], 7], 'idempotent');
});

test('export → import changes nothing, in UTF-8 (with a BOM) and in Shift_JIS', async () => {
  const total = await count("SELECT COUNT(*) AS n FROM customers WHERE tenant_id = 'demo'");
  const utf8 = await exportCsv();
  assert.equal(utf8.status, 200);
  assert.equal(utf8.type, 'text/csv; charset=utf-8');
  assert.deepEqual([...utf8.bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so Excel reads UTF-8');
  const text = new TextDecoder().decode(utf8.bytes.slice(3));
  const lines = text.split('\r\n');
  // The seed gives 山田 (c001) the attribute plan = gold: one column for it.
  assert.equal(lines[0], '顧客ID,氏名,会社名,電話番号,担当者,属性:plan');
  assert.ok(lines.includes('c001,山田 太郎,山田商事株式会社,03-5555-0101,sato,gold'), text);
  assert.ok(lines.includes("c007,Emily Carter,Carter & Sons Ltd.,'+44 20 7946 0107,ito,"), 'a leading + is guarded from Excel');
  assert.equal(lines.length, total + 2, 'header, a row per customer, and the last CRLF');

  const sjis = await exportCsv('shift_jis');
  assert.equal(sjis.status, 200);
  assert.equal(sjis.type, 'text/csv; charset=shift_jis');
  assert.equal(decodeShiftJis(sjis.bytes), text);

  for (const file of [utf8.bytes, sjis.bytes]) {
    const back = await importCsv(file, { dryRun: false });
    assert.equal(back.status, 200, back.text);
    assert.deepEqual([back.body.created, back.body.updated, back.body.unchanged], [[], [], total]);
  }
  const bad = await exportCsv('euc-jp');
  assert.equal(bad.status, 422);
});

test('who may import and export: admins and directory keys; agents and supervisors are refused', async () => {
  const file = new TextEncoder().encode('name,phone\r\n試し,03-5555-0299\r\n');
  for (const roles of [['agent'], ['supervisor']]) {
    const session = await sessionOf(roles);
    assert.equal((await importCsv(file, { dryRun: true, bearer: session })).status, 403, `${roles} import`);
    assert.equal((await exportCsv(undefined, session)).status, 403, `${roles} export`);
  }
  assert.equal((await importCsv(file, { dryRun: true, bearer: null })).status, 401);
  const keyOf = async (scopes) => {
    const res = await fetch(new URL('/api/admin/api-keys', edge.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `CSV ${scopes}`, scopes }),
    });
    return (await res.json()).key;
  };
  const reader = await keyOf(['directory:read']);
  assert.equal((await exportCsv(undefined, reader)).status, 200, 'export reads the directory');
  assert.equal((await importCsv(file, { dryRun: true, bearer: reader })).status, 403, 'import writes it');
  const writer = await keyOf(['directory:write']);
  assert.equal((await importCsv(file, { dryRun: true, bearer: writer })).status, 200);
});

test('10,000 rows import in one request; the route takes up to 4 MiB and other routes still 64 KiB', async () => {
  let file = '顧客ID,氏名,会社名,電話番号,担当者\r\n';
  for (let n = 0; n < 10_000; n++) {
    const digits = String(n).padStart(4, '0');
    file += `m${String(n).padStart(5, '0')},顧客 ${digits},株式会社テスト${n % 97},090-6000-${digits},${n % 3 ? 'sato' : ''}\r\n`;
  }
  const bytes = new TextEncoder().encode(file);
  const timed = async (dryRun) => {
    const started = performance.now();
    const reply = await importCsv(bytes, { dryRun });
    return { reply, ms: Math.round(performance.now() - started) };
  };
  const dry = await timed(true);
  assert.equal(dry.reply.status, 200, dry.reply.text.slice(0, 500));
  assert.equal(dry.reply.body.created.length, 10_000);
  const { reply: imported, ms } = await timed(false);
  console.log(`10,000 rows (${bytes.length} bytes): dry run ${dry.ms} ms, import ${ms} ms`);
  assert.equal(imported.status, 200, imported.text.slice(0, 500));
  assert.equal(imported.body.created.length, 10_000);
  assert.equal(await count("SELECT COUNT(*) AS n FROM customers WHERE id LIKE 'm%'"), 10_000);

  const tooMany = await importCsv(new TextEncoder().encode(`${file}m10000,顧客,,090-6001-0000,\r\n`), { dryRun: true });
  assert.deepEqual(tooMany.body.fields.map((f) => `${f.field} ${f.code}`), ['file too_many_rows']);
  const tooBig = await importCsv(new Uint8Array(4 * 1024 * 1024 + 1).fill(0x61), { dryRun: true });
  assert.equal(tooBig.status, 413);
  const res = await fetch(new URL('/api/admin/customers', edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'big', name: 'x'.repeat(70_000), phone: '03-5555-0101' }),
  });
  assert.equal(res.status, 413, 'the larger cap is the import route\'s alone');
});

test('attribute columns (属性:plan, attr:区分) set and clear customers\' attributes in a Shift_JIS file, a bad value is refused on its row, and the export writes them back', async () => {
  const read = async (id) => {
    const res = await fetch(new URL(`/api/admin/customers/${id}`, edge.url), { headers: { authorization: `Bearer ${admin}` } });
    return res.json();
  };
  const file = encodeShiftJis('顧客ID,氏名,電話番号,属性:plan,attr:区分\r\nk301,属性 太郎,03-5555-0301,gold,法人\r\nk302,属性 花子,03-5555-0302,,個人\r\n');
  const imported = await importCsv(file, { dryRun: false });
  assert.equal(imported.status, 200, imported.text);
  assertConforms('CustomerImport', imported.body);
  assert.deepEqual(imported.body.columns.filter((c) => c.field === 'attributes').map((c) => c.attribute), ['plan', '区分']);
  assert.deepEqual(imported.body.created, ['k301', 'k302']);
  assert.deepEqual((await read('k301')).attributes, { plan: 'gold', 区分: '法人' });
  assert.deepEqual((await read('k302')).attributes, { 区分: '個人' }, 'an empty cell sets nothing');

  // A file with only the plan column: an empty cell clears plan, 区分 (no column) is kept.
  const cleared = await importCsv(encodeShiftJis('顧客ID,氏名,電話番号,属性:plan\r\nk301,属性 太郎,03-5555-0301,\r\n'), { dryRun: false });
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual(cleared.body.updated, ['k301']);
  assert.deepEqual((await read('k301')).attributes, { 区分: '法人' });

  const tooLong = await importCsv(encodeShiftJis(`顧客ID,氏名,電話番号,属性:plan\r\nk301,属性 太郎,03-5555-0301,${'あ'.repeat(65)}\r\n`), { dryRun: true });
  assert.equal(tooLong.status, 200, tooLong.text);
  assert.deepEqual(problems(tooLong.body), ['2 属性:plan attributes too_long']);
  const badHeader = await importCsv(encodeShiftJis('氏名,電話番号,属性:,attr:plan,属性:plan\r\n'), { dryRun: true });
  assert.equal(badHeader.status, 422, badHeader.text);
  assert.deepEqual(badHeader.body.fields.map((e) => `${e.field} ${e.code}`), ['columns.attributes blank', 'columns.attributes duplicate_column']);

  const exported = await exportCsv('shift_jis');
  const lines = decodeShiftJis(exported.bytes).split('\r\n');
  assert.equal(lines[0], '顧客ID,氏名,会社名,電話番号,担当者,属性:plan,属性:区分');
  assert.ok(lines.includes('k301,属性 太郎,,03-5555-0301,,,法人'), lines.join('\n'));
  assert.ok(lines.includes('c001,山田 太郎,山田商事株式会社,03-5555-0101,sato,gold,'), lines.join('\n'));
  // (Export → import with attributes is the crate's property test; the 10,000 rows above make this
  // export larger than one import takes.)
});
