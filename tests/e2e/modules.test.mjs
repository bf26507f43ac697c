//! Feature modules in Chromium: a fresh widget downloads the phone only; the transfer form's module is fetched once, the first time an agent opens it, and then works; the phone line's backend is fetched at sign-in, only the one the tenant uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/paths.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack, availableAgent } from '../support/voice-stack.mjs';
import { embedToken } from '../support/auth.mjs';
import { CrmPage } from './pages/crm-page.mjs';

const YAMADA = '+81355550101'; // c001, owned by sato
const ASSETS = path.join(ROOT, 'build', 'site', 'assets');
/** Written by `cargo xtask build`: each split point and the hashed files its first call downloads. */
const MODULES = JSON.parse(readFileSync(path.join(ROOT, 'build', 'widget-modules.json'), 'utf8'));
/** Only the transfer form's view uses this test id: its code and text belong to its module. */
const MARKER = 'transfer-number-go';
/** Only the test double's line logs this: its code and text belong to its module. */
const DOUBLE_MARKER = 'voice double: unknown message';

let stack;
before(async () => { stack = await startVoiceStack(); });
after(async () => { await stack?.stop(); });

/** The module files of the split point whose name starts with `prefix`. */
function moduleFiles(prefix) {
  const [, files] = Object.entries(MODULES).find(([point]) => point.startsWith(prefix)) ?? [];
  assert.ok(files?.length, `${prefix} is a module of the build: ${JSON.stringify(MODULES)}`);
  return files;
}

test('the transfer form is its own module: not in the initial download, fetched once when first opened, and it works', async () => {
  const transfer = moduleFiles('tsunagu_transfer_form');
  const webCall = moduleFiles('tsunagu_web_call');
  // Twilio's line, less the chunk it shares with the double's (which this signed-in agent loads).
  const double = moduleFiles('tsunagu_voice_double');
  const twilio = moduleFiles('tsunagu_voice_twilio').filter((file) => !double.includes(file));
  const host = await startHostPage(stack.edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const fetched = [];
  const record = (request) => fetched.push(new URL(request.url()).pathname);
  const { crm, widget, call } = await availableAgent(stack, host, 'sato', '佐藤 花子');
  crm.page.context().on('request', record);
  try {
    // What the widget downloaded up to a signed-in, available phone (the listener was added
    // late, so ask the frame's own resource timing for the whole load).
    const loaded = await widget.frame.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    const assets = loaded.filter((p) => p.startsWith('/assets/')).map((p) => p.slice('/assets/'.length));
    assert.ok(assets.some((name) => name.endsWith('.wasm')), `the main wasm was downloaded: ${assets}`);
    for (const file of [...transfer, ...webCall, ...twilio]) {
      assert.ok(!assets.includes(file), `${file} is not part of the initial download`);
    }
    for (const name of assets) {
      const bytes = readFileSync(path.join(ASSETS, name));
      assert.equal(bytes.includes(MARKER), false, `${name} (initial) does not contain the transfer form`);
    }
    assert.ok(transfer.some((file) => readFileSync(path.join(ASSETS, file)).includes(MARKER)), 'the transfer module holds the form');

    const callSid = await stack.double.call(YAMADA);
    await widget.waitForOffer(callSid);
    await widget.acceptOffer(callSid);
    await call.root.waitFor();
    assert.equal(fetched.filter((p) => transfer.some((f) => p.endsWith(f))).length, 0, 'answering a call does not fetch the transfer form');

    // First open: the module arrives and the form works (its number field takes input).
    await call.transferButton.click();
    await call.transferForm.waitFor();
    await widget.frame.getByTestId('transfer-number').fill('03-1234-5678');
    assert.equal(await widget.frame.getByTestId('transfer-number').inputValue(), '03-1234-5678');
    await widget.frame.getByTestId(MARKER).waitFor();
    // Closed and opened again: no second download.
    await call.transferButton.click();
    await call.transferForm.waitFor({ state: 'detached' });
    await call.transferButton.click();
    await call.transferForm.waitFor();
    for (const file of transfer) {
      assert.equal(fetched.filter((p) => p.endsWith(file)).length, 1, `${file} fetched exactly once`);
    }
    assert.equal(fetched.filter((p) => webCall.some((f) => p.endsWith(f))).length, 0, 'the web-call module stays unloaded on a phone call');

    await call.hangUp.click();
    await crm.waitForEvent('ended', (d) => d.conversation === callSid);
  } finally {
    await crm.close();
    await host.close();
  }
});

test('the phone line is a module per backend: none before sign-in, the double\'s once at sign-in, never Twilio\'s', async () => {
  const double = moduleFiles('tsunagu_voice_double');
  const twilio = moduleFiles('tsunagu_voice_twilio');
  const host = await startHostPage(stack.edge.url, { host: 'localhost', extraHead: hostApiScript() });
  const crm = await CrmPage.open(stack.browser, host.url, { embedTokens: () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }) });
  const fetched = [];
  crm.page.context().on('request', (request) => fetched.push(new URL(request.url()).pathname));
  try {
    const widget = await crm.widget();
    await widget.frame.waitForSelector('[data-testid="connection-status"][data-state="signed-out"]');
    const loaded = await widget.frame.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    assert.ok(loaded.some((p) => p.endsWith('.wasm')), `the main wasm was downloaded: ${loaded}`);
    for (const file of [...double, ...twilio]) {
      assert.ok(!loaded.some((p) => p.endsWith(file)), `${file} is not part of the initial download`);
    }
    for (const name of loaded.filter((p) => p.startsWith('/assets/')).map((p) => p.slice('/assets/'.length))) {
      assert.equal(readFileSync(path.join(ASSETS, name)).includes(DOUBLE_MARKER), false, `${name} (initial) does not contain the double's line`);
    }
    assert.ok(double.some((file) => readFileSync(path.join(ASSETS, file)).includes(DOUBLE_MARKER)), 'the double module holds its line');

    // Signed in: the tenant's line is the double; its module arrives and the line registers.
    await crm.page.evaluate(() => Tsunagu.init({ getEmbedToken: () => window.nextEmbedToken() }));
    await widget.waitForState('connected');
    await widget.waitForVoiceReady();
    const all = [...loaded, ...fetched];
    for (const file of double) {
      assert.equal(all.filter((p) => p.endsWith(file)).length, 1, `${file} fetched exactly once`);
    }
    // Chunks shared with the double's module come with it; Twilio's own files never do.
    for (const file of twilio.filter((f) => !double.includes(f))) {
      assert.equal(all.filter((p) => p.endsWith(file)).length, 0, `${file} is never fetched for a double line`);
    }
  } finally {
    await crm.close();
    await host.close();
  }
});
