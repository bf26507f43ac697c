//! The administration views in Chromium: an admin opens 管理, creates an API key (shown once, then listed without its secret), previews a CSV with one bad row, imports the corrected file; edits a customer's attributes; saves the calling and web-call settings; the views are their own module, fetched only on the first open; an agent has no 管理 button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/paths.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack } from '../support/voice-stack.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { encodeShiftJis } from '../support/shift-jis.mjs';
import { CrmPage } from './pages/crm-page.mjs';
import { AdminPanel } from './pages/admin-panel.mjs';

const ASSETS = path.join(ROOT, 'build', 'site', 'assets');
/** Written by `cargo xtask build`: each split point and the hashed files its first call downloads. */
const MODULES = JSON.parse(readFileSync(path.join(ROOT, 'build', 'widget-modules.json'), 'utf8'));
/** Only the administration views use this test id: its code and text belong to their module. */
const MARKER = 'admin-api-key-secret';

const BAD_CSV = '顧客ID,氏名,電話番号\r\nadm-e2e-1,管理 一郎,03-6666-0001\r\nadm-e2e-2,,03-6666-0002\r\n';
const GOOD_CSV = '顧客ID,氏名,電話番号\r\nadm-e2e-1,管理 一郎,03-6666-0001\r\nadm-e2e-2,管理 二郎,03-6666-0002\r\n';

let stack;
let host;
before(async () => {
  stack = await startVoiceStack();
  host = await startHostPage(stack.edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
});
after(async () => {
  await host?.close();
  await stack?.stop();
});

/**
 * The admin views' files: the split point `tsunagu_admin` (the tabs and the first section, the
 * directory), then `tsunagu_admin_<group>` for the other sections. `only` leaves out chunks that
 * other modules (the phone line's, fetched at sign-in) share. Returns { shell, only }.
 */
function adminModuleFiles() {
  const points = Object.entries(MODULES);
  const admin = points.filter(([point]) => point.startsWith('tsunagu_admin'));
  const others = new Set(points.filter(([point]) => !point.startsWith('tsunagu_admin')).flatMap(([, files]) => files));
  const files = (name) => {
    const found = MODULES[name];
    assert.ok(found?.length, `${name} is a module of the build: ${JSON.stringify(MODULES)}`);
    return found;
  };
  return {
    shell: files('tsunagu_admin'),
    only: [...new Set(admin.flatMap(([, f]) => f))].filter((file) => !others.has(file)),
  };
}

test('an admin opens 管理 (its module fetched then, once), creates an API key seen once, previews a CSV with a bad row and imports the good file', async () => {
  const { shell, only } = adminModuleFiles();
  const crm = await CrmPage.open(stack.browser, host.url, {
    embedTokens: () => embedToken({ agent: 'watanabe', name: '渡辺 管理者', team: 'sales', roles: ['agent', 'admin'] }),
  });
  const fetched = [];
  crm.page.context().on('request', (request) => fetched.push(new URL(request.url()).pathname));
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    const admin = new AdminPanel(widget.frame);
    await admin.toggle.waitFor();
    assert.equal(await admin.toggle.textContent(), '管理');

    // Signed in and ready: nothing of the admin views downloaded yet.
    const loaded = await widget.frame.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    const assets = loaded.filter((p) => p.startsWith('/assets/')).map((p) => p.slice('/assets/'.length));
    assert.ok(assets.some((name) => name.endsWith('.wasm')), `the main wasm was downloaded: ${assets}`);
    for (const file of only) {
      assert.ok(![...assets, ...fetched].some((p) => p.endsWith(file)), `${file} is not fetched before 管理 is opened`);
    }
    for (const name of assets) {
      assert.equal(readFileSync(path.join(ASSETS, name)).includes(MARKER), false, `${name} (initial) does not contain the admin views`);
    }
    assert.ok(only.some((file) => readFileSync(path.join(ASSETS, file)).includes(MARKER)), 'the admin modules hold the views');

    await admin.open();
    assert.equal(await widget.frame.getByTestId('presence-available').count(), 0, 'the views take the idle phone\'s place');
    assert.equal(await admin.root.evaluate((el) => getComputedStyle(el).display), 'flex', 'the module\'s own styles apply under the widget\'s CSP');
    const secret = await admin.createApiKey('CRM連携');
    assert.match(secret, /^tsk_demo_[0-9a-f]{16}_[0-9a-f]{64}$/);
    // The key works against the API, and the list shows it without its secret.
    const byKey = await fetch(new URL('/api/conversations', stack.edge.url), { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(byKey.status, 200, 'the new key reads the call log (scope conversations:read)');
    await widget.frame.getByTestId('admin-api-key-secret-done').click();
    await widget.frame.getByTestId('admin-api-key-secret').waitFor({ state: 'detached' });
    const keys = await admin.apiKeys();
    const listed = keys.find((key) => key.text.includes('CRM連携'));
    assert.ok(listed, `the key is listed: ${JSON.stringify(keys)}`);
    assert.ok(!keys.some((key) => key.text.includes(secret.slice(-64))), 'no listed key shows its secret');
    assert.equal(await widget.frame.getByText(secret.slice(-64)).count(), 0, 'the secret is gone from the widget once dismissed');

    // A field error from the API shows beside its field, in Japanese.
    await widget.frame.getByTestId('admin-api-key-form').getByTestId('admin-api-key-save').click();
    const nameError = widget.frame.locator('[data-testid="field-error"][data-field="name"]');
    await nameError.waitFor();
    assert.match(await nameError.textContent(), /[ぁ-んァ-ン一-龯]/, 'the field error is in Japanese');

    // The dry run previews the one bad row; nothing is written and there is no import button.
    const bad = await admin.pickCsv({ name: 'customers.csv', buffer: Buffer.from(BAD_CSV) });
    assert.equal(await bad.getAttribute('data-outcome'), 'invalid');
    const errors = await admin.csvErrors();
    assert.deepEqual(errors.map((e) => [e.line, e.code]), [[3, 'blank']]);
    assert.match(errors[0].text, /氏名/);
    assert.equal(await widget.frame.getByTestId('admin-csv-import').count(), 0);

    // The corrected file, saved by Excel as Shift_JIS: a clean dry run, then the import.
    const good = await admin.pickCsv({ name: 'customers-fixed.csv', buffer: Buffer.from(encodeShiftJis(GOOD_CSV)) });
    await widget.frame.locator('[data-testid="admin-csv-report"][data-outcome="ready"]').waitFor();
    assert.match(await good.getByTestId('admin-csv-summary').textContent(), /新規 2 件.*shift_jis/);
    await admin.importCsv();
    const { session } = await openSession(stack.edge.url, embedToken({ agent: 'reader', roles: ['admin'] }));
    const stored = await (await fetch(new URL('/api/admin/customers?q=adm-e2e', stack.edge.url), { headers: { authorization: `Bearer ${session}` } })).json();
    assert.deepEqual(stored.customers.map((c) => [c.id, c.name, c.phone]).sort(), [
      ['adm-e2e-1', '管理 一郎', '+81366660001'],
      ['adm-e2e-2', '管理 二郎', '+81366660002'],
    ]);

    // Closed and opened again (on its first section): nothing is fetched a second time.
    await admin.toggle.click();
    await admin.root.waitFor({ state: 'detached' });
    await admin.open();
    await admin.frame.getByTestId('admin-teams').waitFor();
    for (const file of shell.filter((f) => only.includes(f))) {
      assert.equal(fetched.filter((p) => p.endsWith(file)).length, 1, `${file} fetched exactly once`);
    }
  } finally {
    await crm.close();
  }
});

test('an admin adds a team and an agent, edits the agent\'s skills, adds a phone line, sets business hours, the routing ladder and the tenant settings and subscribes a webhook, each refusal shown beside its field', async () => {
  const crm = await CrmPage.open(stack.browser, host.url, {
    embedTokens: () => embedToken({ agent: 'watanabe', name: '渡辺 管理者', team: 'sales', roles: ['agent', 'admin'] }),
  });
  const { session } = await openSession(stack.edge.url, embedToken({ agent: 'reader2', roles: ['admin'] }));
  const api = async (path) => (await fetch(new URL(path, stack.edge.url), { headers: { authorization: `Bearer ${session}` } })).json();
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    const admin = new AdminPanel(widget.frame);
    await admin.open();
    const frame = widget.frame;

    // Directory: a team, then an agent in it; the edit's skills typo is named before sending.
    const team = admin.form('admin-team-form');
    await team.input('id').fill('e2e-team');
    await team.input('name.ja').fill('E2Eチーム');
    await team.submit('admin-team-save');
    assert.match((await team.errors('name.en')).join(), /空|empty/, 'the worker\'s error on the English name, beside it');
    await team.input('name.en').fill('E2E team');
    await team.submit('admin-team-save');
    await frame.locator('[data-testid="admin-team"][data-id="e2e-team"]').waitFor();

    const agent = admin.form('admin-agent-form');
    await agent.input('id').fill('e2e_agent');
    await agent.input('display_name').fill('E2E 担当');
    await agent.input('team').selectOption('e2e-team');
    await agent.input('skills').fill('billing:3');
    await agent.submit('admin-agent-save');
    const row = frame.locator('[data-testid="admin-agent"][data-id="e2e_agent"]');
    await row.waitFor();
    await row.getByTestId('admin-agent-edit').click();
    const edit = admin.form('admin-agent-edit-form');
    await edit.input('skills').fill('billing:x');
    await edit.submit('admin-agent-save');
    assert.match((await edit.errors('skills')).join(), /名前:レベル/);
    await edit.input('skills').fill('billing:4, sales');
    await edit.submit('admin-agent-save');
    await edit.root.waitFor({ state: 'detached' });
    assert.match(await row.textContent(), /billing:4, sales:1/);
    const stored = (await api('/api/admin/agents')).agents.find((a) => a.id === 'e2e_agent');
    assert.deepEqual([stored.team, stored.skills], ['e2e-team', { billing: 4, sales: 1 }]);

    // A phone line: a number that is none, then one.
    await admin.section('lines');
    const line = admin.form('admin-line-form');
    await line.input('number').fill('abc');
    await line.submit('admin-line-save');
    await line.errors('number');
    await line.input('number').fill('050-1111-2222');
    await line.submit('admin-line-save');
    await frame.locator('[data-testid="admin-line"][data-number="+815011112222"]').waitFor();

    // Business hours: the worker refuses 9:00 on Tuesday, beside Tuesday's field; then saved.
    await admin.section('hours');
    const hours = admin.form('admin-hours-form');
    await frame.locator('[data-testid="admin-hours-form"][data-loaded="true"]').waitFor();
    await frame.getByTestId('admin-hours-always').uncheck();
    await frame.getByTestId('admin-hours-mon').fill('09:00-18:00');
    await frame.getByTestId('admin-hours-tue').fill('9:00-18:00');
    await frame.getByTestId('admin-hours-holidays').check();
    await hours.submit('admin-hours-save');
    await hours.errors('hours.weekly.tue');
    await frame.getByTestId('admin-hours-tue').fill('09:00-12:00, 13:00-18:00');
    await hours.submit('admin-hours-save');
    await frame.getByTestId('admin-hours-saved').waitFor();
    const { hours: saved } = await api('/api/admin/routing');
    assert.deepEqual(saved.weekly.map((s) => `${s.day} ${s.open}-${s.close}`), ['mon 09:00-18:00', 'tue 09:00-12:00', 'tue 13:00-18:00']);
    assert.equal(saved.closed_on_national_holidays, true);

    // Routing: a rung that rings 2 s is refused beside that rung; then a rung for the support
    // team is added, the longest wait and a fallback number set, and the hours stay as saved.
    await admin.section('routing');
    await frame.locator('[data-testid="admin-routing-form"][data-loaded="true"]').waitFor();
    const rungs = frame.getByTestId('admin-rung');
    const before = await rungs.count();
    assert.ok(before >= 1, 'the ladder as read');
    await rungs.nth(0).getByTestId('admin-rung-seconds').fill('2');
    await frame.getByTestId('admin-routing-save').click();
    const tooShort = rungs.nth(0).locator('[data-testid="field-error"][data-field="routing.rung.0.seconds"]');
    await tooShort.waitFor();
    assert.match(await tooShort.textContent(), /[ぁ-んァ-ン一-龯]/, 'the worker\'s range error, in Japanese, beside the rung');
    await rungs.nth(0).getByTestId('admin-rung-seconds').fill('20');
    await frame.getByTestId('admin-rung-add').click();
    const added = rungs.nth(before);
    await added.getByTestId('admin-rung-target').selectOption('team');
    await added.getByTestId('admin-rung-team').fill('support');
    await added.getByTestId('admin-rung-seconds').fill('30');
    await frame.getByTestId('admin-routing-max-wait').fill('120');
    await frame.getByTestId('admin-routing-fallback').fill('03-1234-0000');
    await frame.getByTestId('admin-routing-save').click();
    await frame.getByTestId('admin-routing-saved').waitFor();
    const routing = await api('/api/admin/routing');
    assert.deepEqual(routing.ladder.at(-1), { target: { team: 'support' }, timeout: 30000 });
    assert.equal(routing.ladder[0].timeout, 20000);
    assert.equal(routing.ladder.length, before + 1);
    assert.equal(routing.max_wait, 120000);
    assert.deepEqual(routing.fallback_numbers, ['+81312340000']);
    assert.equal(routing.hours.weekly.length, 3, 'the hours saved above are kept');

    // Tried before saving: the dry run judges the routing as typed (a 5 s wait is refused beside
    // the wait, as a save would be), then answers in Japanese what Yamada's call would do now.
    await frame.getByTestId('admin-routing-max-wait').fill('5');
    await frame.getByTestId('admin-routing-try-from').fill('03-5555-0101');
    await frame.getByTestId('admin-routing-try-go').click();
    await frame.locator('[data-testid="field-error"][data-field="routing.max_wait"]').waitFor();
    await frame.getByTestId('admin-routing-max-wait').fill('120');
    await frame.getByTestId('admin-routing-try-go').click();
    const preview = frame.getByTestId('admin-routing-preview');
    await preview.waitFor();
    assert.ok(['ring', 'enqueue', 'closed', 'fallback'].includes(await preview.getAttribute('data-plan')), await preview.innerHTML());
    assert.match(await preview.textContent(), /[ぁ-んァ-ン一-龯]/, 'said in Japanese');
    assert.equal((await api('/api/admin/routing')).max_wait, 120000, 'a dry run saves nothing');

    // Settings: a CRM lookup URL that is no https address is refused beside it; then saved, and
    // a Twilio SID of the wrong kind is refused beside its field.
    await admin.section('settings');
    await frame.locator('[data-testid="admin-settings-form"][data-loaded="true"]').waitFor();
    const settingsForm = admin.form('admin-settings-form');
    await settingsForm.input('crm_lookup_url').fill('ftp://crm.example.jp/lookup');
    await settingsForm.submit('admin-settings-save');
    assert.match((await settingsForm.errors('crm_lookup_url')).join(), /https/);
    await settingsForm.input('crm_lookup_url').fill('https://crm.example.jp/tsunagu/lookup');
    await frame.getByTestId('admin-settings-reach').selectOption('tenant');
    await settingsForm.submit('admin-settings-save');
    await frame.getByTestId('admin-settings-saved').waitFor();
    const settings = await api('/api/admin/settings');
    assert.equal(settings.crm_lookup_url, 'https://crm.example.jp/tsunagu/lookup');
    assert.equal(settings.supervisor_reach, 'tenant');
    assert.equal(settings.name.ja, 'デモ株式会社', 'the other fields saved as they were read');
    const twilio = admin.form('admin-twilio-form');
    await frame.locator('[data-testid="admin-input-account_sid"]').inputValue().then((v) => assert.match(v, /^AC/));
    await twilio.input('api_key_sid').fill(`AC${'0'.repeat(32)}`);
    await twilio.submit('admin-twilio-save');
    await twilio.errors('api_key_sid');
    assert.equal((await api('/api/admin/twilio')).api_key_sid, 'SK00000000000000000000000000000d30', 'a refused write changes nothing');

    // A webhook: its signing secret shown once; its delivery log opens (empty).
    await admin.section('webhooks');
    const hook = admin.form('admin-webhook-form');
    await hook.input('url').fill('http://127.0.0.1:9/crm');
    await hook.submit('admin-webhook-save');
    const secret = await frame.getByTestId('admin-webhook-secret-value').textContent();
    assert.match(secret, /^whsec_[0-9a-f]{64}$/);
    const listed = frame.locator('[data-testid="admin-webhook"]', { hasText: 'http://127.0.0.1:9/crm' });
    await listed.getByTestId('admin-webhook-log').click();
    await listed.getByTestId('admin-deliveries').waitFor();
    assert.ok(!(await listed.textContent()).includes(secret));
  } finally {
    await crm.close();
  }
});

test('an admin saves the calling and web-call settings (発信ルール, 後処理時間, ウェブ通話) in the settings tab, sees a refusal beside its field, and reads both back', async () => {
  const crm = await CrmPage.open(stack.browser, host.url, {
    embedTokens: () => embedToken({ agent: 'watanabe', name: '渡辺 管理者', team: 'sales', roles: ['agent', 'admin'] }),
  });
  const { session } = await openSession(stack.edge.url, embedToken({ agent: 'reader3', roles: ['admin'] }));
  const api = async (path, method = 'GET', body) => (await fetch(new URL(path, stack.edge.url), {
    method,
    headers: { authorization: `Bearer ${session}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })).json();
  const callingBefore = await api('/api/admin/calling');
  const { turnstile_secret_missing: _, ...webCallsBefore } = await api('/api/admin/web-calls');
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    const admin = new AdminPanel(widget.frame);
    await admin.open();
    const frame = widget.frame;
    await admin.section('settings');

    // Calling: a 601 s window is refused beside it, in Japanese; then the form is saved.
    await frame.locator('[data-testid="admin-calling-form"][data-loaded="true"]').waitFor();
    const calling = admin.form('admin-calling-form');
    await calling.input('dial_policy.allowed_countries').fill('1, 44');
    await frame.getByTestId('admin-calling-supervisors-only').check();
    await calling.input('dial_policy.allowed_numbers').fill('0570-000-111');
    await calling.input('dial_policy.max_calls_per_agent').fill('5');
    await calling.input('dial_policy.rate_window_secs').fill('601');
    await frame.getByTestId('admin-calling-sign-in').selectOption('away');
    await calling.input('wrap_up_secs').fill('45');
    await calling.submit('admin-calling-save');
    assert.match((await calling.errors('dial_policy.rate_window_secs')).join(), /1 以上 600 以下/, 'the worker\'s range, beside the window');
    assert.deepEqual((await api('/api/admin/calling')).dial_policy, callingBefore.dial_policy, 'a refused save changes nothing');
    await calling.input('dial_policy.rate_window_secs').fill('300');
    await calling.submit('admin-calling-save');
    await frame.getByTestId('admin-calling-saved').waitFor();
    const storedCalling = await api('/api/admin/calling');
    assert.deepEqual(storedCalling.dial_policy, {
      ...callingBefore.dial_policy,
      allowed_countries: [1, 44], countries_for_supervisors_only: true, allowed_numbers: ['+81570000111'],
      max_calls_per_agent: 5, rate_window_secs: 300,
    });
    assert.deepEqual([storedCalling.sign_in_status, storedCalling.wrap_up_secs, storedCalling.direct_dial_from_host], ['away', 45, false]);

    // Web calls: 0 lines is refused beside the field; then saved with a Turnstile key, and the
    // view warns that this tenant has no Turnstile secret.
    await frame.locator('[data-testid="admin-web-calls-form"][data-loaded="true"]').waitFor();
    const webCalls = admin.form('admin-web-calls-form');
    assert.equal(await webCalls.input('max_web_calls').inputValue(), '20', 'the defaults as read');
    await webCalls.input('max_web_calls').fill('0');
    await webCalls.input('max_web_calls_per_address').fill('3');
    await webCalls.input('web_call_start_within_secs').fill('20');
    await webCalls.input('max_web_queue_wait_secs').fill('90');
    await webCalls.input('max_web_call_length_minutes').fill('45');
    await webCalls.input('turnstile_site_key').fill('1x00000000000000000000AA');
    await webCalls.submit('admin-web-calls-save');
    assert.match((await webCalls.errors('max_web_calls')).join(), /1 以上 500 以下/);
    await webCalls.input('max_web_calls').fill('12');
    await webCalls.submit('admin-web-calls-save');
    await frame.getByTestId('admin-web-calls-saved').waitFor();
    assert.match(await frame.getByTestId('admin-web-calls-secret-missing').textContent(), /シークレット/);
    assert.deepEqual(await api('/api/admin/web-calls'), {
      max_web_calls: 12, max_web_calls_per_address: 3, web_call_start_within_secs: 20, max_web_queue_wait_secs: 90,
      max_web_call_length_minutes: 45, turnstile_site_key: '1x00000000000000000000AA', turnstile_secret_missing: true,
    });

    // Read back: another tab and back again loads both forms from the worker.
    await admin.section('directory');
    await admin.section('settings');
    await frame.locator('[data-testid="admin-calling-form"][data-loaded="true"]').waitFor();
    await frame.locator('[data-testid="admin-web-calls-form"][data-loaded="true"]').waitFor();
    assert.equal(await calling.input('dial_policy.allowed_countries').inputValue(), '1, 44');
    assert.equal(await calling.input('dial_policy.allowed_numbers').inputValue(), '+81570000111');
    assert.equal(await calling.input('wrap_up_secs').inputValue(), '45');
    assert.equal(await frame.getByTestId('admin-calling-sign-in').inputValue(), 'away');
    assert.equal(await frame.getByTestId('admin-calling-supervisors-only').isChecked(), true);
    assert.equal(await webCalls.input('max_web_calls').inputValue(), '12');
    assert.equal(await webCalls.input('max_web_call_length_minutes').inputValue(), '45');
    assert.equal(await webCalls.input('turnstile_site_key').inputValue(), '1x00000000000000000000AA');
    await frame.getByTestId('admin-web-calls-secret-missing').waitFor();
  } finally {
    await crm.close();
    await api('/api/admin/calling', 'PUT', callingBefore);
    await api('/api/admin/web-calls', 'PUT', webCallsBefore);
  }
});

test('an agent session has no 管理 button and never downloads the admin views', async () => {
  const { only } = adminModuleFiles();
  const crm = await CrmPage.open(stack.browser, host.url, { embedTokens: () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }) });
  const fetched = [];
  crm.page.context().on('request', (request) => fetched.push(new URL(request.url()).pathname));
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.getByTestId('presence-available').waitFor();
    assert.equal(await widget.frame.getByTestId('admin-toggle').count(), 0);
    const loaded = await widget.frame.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    for (const file of only) {
      assert.ok(![...loaded, ...fetched].some((p) => p.endsWith(file)), `${file} is never fetched for an agent`);
    }
  } finally {
    await crm.close();
  }
});

test('an admin who takes no calls (roles: admin only) gets the administration views and no phone: no hub socket, no phone line', async () => {
  const crm = await CrmPage.open(stack.browser, host.url, {
    embedTokens: () => embedToken({ agent: 'kanri', name: '管理 専任', roles: ['admin'] }),
  });
  const sockets = [];
  const requests = [];
  crm.page.context().on('request', (request) => requests.push(new URL(request.url()).pathname));
  crm.page.on('websocket', (ws) => sockets.push(ws.url()));
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    const admin = new AdminPanel(widget.frame);
    await admin.root.waitFor();
    await widget.frame.getByTestId('admin-teams').waitFor();
    assert.match(await widget.frame.getByTestId('admin-only').textContent(), /管理者としてサインイン/);
    assert.equal(await widget.frame.getByTestId('presence-available').count(), 0, 'no presence buttons');
    assert.equal(await widget.frame.getByTestId('dial-form').count(), 0, 'no dial field');
    // The toggle still closes and opens the views.
    await admin.toggle.click();
    await admin.root.waitFor({ state: 'detached' });
    await admin.open();
    assert.deepEqual(sockets, [], 'no hub socket was opened');
    assert.ok(!requests.includes('/api/token'), `no phone line was asked for: ${requests.filter((p) => p.startsWith('/api/'))}`);
  } finally {
    await crm.close();
  }
});

test('an admin edits a customer\'s attributes: the seed\'s plan=gold shown in the search, a bad entry refused beside the field, the new ones stored', async () => {
  const crm = await CrmPage.open(stack.browser, host.url, {
    embedTokens: () => embedToken({ agent: 'watanabe', name: '渡辺 管理者', team: 'sales', roles: ['agent', 'admin'] }),
  });
  const { session } = await openSession(stack.edge.url, embedToken({ agent: 'reader3', roles: ['admin'] }));
  const api = async (path) => (await fetch(new URL(path, stack.edge.url), { headers: { authorization: `Bearer ${session}` } })).json();
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    const admin = new AdminPanel(widget.frame);
    await admin.open();
    await admin.section('customers');
    const frame = widget.frame;
    const search = admin.form('admin-customer-search');
    await search.input('q').fill('山田 太郎');
    await search.submit('admin-customer-search-go');
    const row = frame.locator('[data-testid="admin-customer"][data-id="c001"]');
    await row.waitFor();
    assert.match(await row.getByTestId('admin-customer-attributes').textContent(), /plan=gold/);
    await row.getByTestId('admin-customer-edit').click();
    const form = admin.form('admin-customer-form');
    assert.equal(await form.input('attributes').inputValue(), 'plan=gold', 'the edit loads the attributes');
    await form.input('attributes').fill('plan=silver, 区分');
    await form.submit('admin-customer-save');
    assert.match((await form.errors('attributes')).join(), /空|empty/, 'the worker\'s refusal, beside the field');
    await form.input('attributes').fill('plan=silver, 区分=法人');
    await form.submit('admin-customer-save');
    assert.match(await frame.getByTestId('admin-customer-added').textContent(), /保存|Saved/);
    const stored = await api('/api/admin/customers/c001');
    assert.deepEqual([stored.name, stored.phone, stored.owner, stored.attributes],
      ['山田 太郎', '+81355550101', 'sato', { plan: 'silver', 区分: '法人' }]);
  } finally {
    await crm.close();
  }
});
