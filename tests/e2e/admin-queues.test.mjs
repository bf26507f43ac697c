//! The queue and IVR-menu views in Chromium: an admin opens キュー (its module fetched only then), creates a queue with a callback key after a field error (an http:// hold music URL, refused in Japanese beside its field), puts the main line on it (the line otherwise as it was), opens the IVR line's menu as JSON, saves an invalid change and sees the refusal with its path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/paths.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack } from '../support/voice-stack.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { CrmPage } from './pages/crm-page.mjs';
import { AdminPanel } from './pages/admin-panel.mjs';
import { QueuesPanel } from './pages/queues-panel.mjs';

/** Written by `cargo xtask build`: each split point and the hashed files its first call downloads. */
const MODULES = JSON.parse(readFileSync(path.join(ROOT, 'build', 'widget-modules.json'), 'utf8'));
const MAIN_LINE = '+815012345678';
const IVR_LINE = '+815012345679';
const JAPANESE = /[ぁ-んァ-ン一-龯]/;

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

/** The queue module's own files: those of `tsunagu_admin_queues` that no other split point downloads. */
function queueModuleFiles() {
  const own = MODULES.tsunagu_admin_queues;
  assert.ok(own?.length, `tsunagu_admin_queues is a module of the build: ${JSON.stringify(MODULES)}`);
  const others = new Set(Object.entries(MODULES).filter(([point]) => point !== 'tsunagu_admin_queues').flatMap(([, files]) => files));
  const only = own.filter((file) => !others.has(file));
  assert.ok(only.length > 0, 'the queue views have a file of their own');
  return only;
}

async function api(method, route, body) {
  const { session } = await openSession(stack.edge.url, embedToken({ agent: 'queue_reader', roles: ['admin'] }));
  const res = await fetch(new URL(route, stack.edge.url), {
    method,
    headers: { authorization: `Bearer ${session}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

test('an admin creates a queue with a callback key (a field error first), puts the main line on it and sees the IVR menu refuse an invalid change', async () => {
  const only = queueModuleFiles();
  // The main line with fields the lines view does not show, which putting it on a queue must keep.
  await api('PUT', `/api/admin/phone-lines/${encodeURIComponent(MAIN_LINE)}`, {
    number: MAIN_LINE, kind: 'main', required_skills: { booking: 2 }, priority: 3, after_hours: { action: 'announce' },
  });
  const linesBefore = (await api('GET', '/api/admin/phone-lines')).phone_lines;
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
    await admin.open();
    await admin.frame.getByTestId('admin-teams').waitFor();
    for (const file of only) {
      assert.ok(!fetched.some((p) => p.endsWith(file)), `${file} is not fetched before the queues tab is opened`);
    }

    const queues = new QueuesPanel(admin);
    await queues.open();
    for (const file of only) {
      assert.ok(fetched.some((p) => p.endsWith(file)), `${file} is fetched when the queues tab is opened`);
    }
    assert.match(await widget.frame.getByTestId('admin-queues-help').textContent(), /API/, 'the help line says hours are API-only');

    // An http:// hold music URL: refused beside its field, in Japanese; nothing stored.
    await queues.fillNew({ id: 'e2e-billing', ja: '請求窓口', en: 'Billing', whom: 'team', team: 'support', seconds: '25', callback: '9', music: 'http://example.com/tune.mp3' });
    await queues.save();
    const [musicError] = await queues.errors('hold_music_url');
    assert.equal(musicError.code, 'not_https');
    assert.match(musicError.text, JAPANESE, 'the field error is in Japanese');
    assert.equal((await api('GET', '/api/admin/queues')).queues.some((q) => q.id === 'e2e-billing'), false);

    // Fixed (https), saved and listed in words with its callback key.
    await queues.form.getByTestId('admin-queue-hold_music_url').fill('https://example.com/tune.mp3');
    await queues.save();
    await widget.frame.getByTestId('admin-queue-saved').waitFor();
    const words = await queues.listed('e2e-billing');
    assert.match(words, /support/);
    assert.match(words, /9/);
    const stored = (await api('GET', '/api/admin/queues')).queues.find((q) => q.id === 'e2e-billing');
    assert.deepEqual(
      [stored.callback_digit, stored.hold_music_url, stored.ladder],
      ['9', 'https://example.com/tune.mp3', [{ target: { team: 'support' }, timeout: 25000 }]],
    );

    // The main line on the queue: the PUT sends the line as read with only its queue changed.
    const saved = crm.page.waitForResponse((res) => res.url().includes('/api/admin/phone-lines/') && res.request().method() === 'PUT');
    await queues.putLineOnQueue(MAIN_LINE, 'e2e-billing');
    assert.equal((await saved).status(), 200);
    const mainBefore = linesBefore.find((line) => line.number === MAIN_LINE);
    const mainAfter = (await api('GET', '/api/admin/phone-lines')).phone_lines.find((line) => line.number === MAIN_LINE);
    assert.deepEqual(mainAfter, { ...mainBefore, queue: 'e2e-billing' });

    // The IVR line's menu, as indented JSON; an invalid change is refused with its path, in Japanese.
    const text = await queues.openMenu(IVR_LINE);
    const menu = JSON.parse(text);
    assert.match(text, /\n {2}"nodes": \[/, 'the menu is shown indented');
    assert.ok(menu.nodes.some((node) => node.id === 'billing'), 'the stored menu (請求は1) is shown');
    const root = menu.nodes.findIndex((node) => node.id === 'root');
    menu.nodes[root].choices[0].next = 'nowhere';
    const problems = await queues.saveMenuRefused(JSON.stringify(menu, null, 2));
    assert.ok(problems.some((line) => line.startsWith(`nodes[${root}].choices[0]`) && JAPANESE.test(line)), `the refusal names the choice: ${problems}`);
    const kept = await api('GET', `/api/admin/ivr-menus/${encodeURIComponent(IVR_LINE)}`);
    assert.equal(kept.menu.nodes[root].choices[0].next, 'billing', 'the refused menu was not stored');
  } finally {
    await crm.close();
  }
});
