//! Browser tests of the widget's `twilio` voice backend: the Voice SDK's Device driven through a recording stand-in, the real SDK failing offline in plain words, and no SDK download for the double.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { DEV_VARS, embedToken } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';
import { startFakeVoiceDouble } from '../support/fake-voice-double.mjs';
import { TWILIO_SDK_URL, routeFakeTwilioSdk } from '../support/fake-twilio-sdk.mjs';
import { ROOT } from '../support/paths.mjs';
import { CrmPage } from './pages/crm-page.mjs';

/** What `cargo xtask build` copies as the widget's SDK file (after the SDK's licence comment). */
const SDK_BUNDLE = path.join(ROOT, 'node_modules', '@twilio', 'voice-sdk', 'dist', 'twilio.min.js');

const ACCOUNT = 'AC00000000000000000000000000000d30';
const YAMADA = '+81355550101'; // c001, owned by sato (sales)
const MAIN_LINE = '+815012345678';

const MICROPHONE_JA = 'マイクを使えません。ブラウザでこのサイトのマイクを許可し、マイクがつながっているか確認してください。';
const MICROPHONE_EN = 'The microphone cannot be used. Allow this site to use the microphone in your browser and check that one is connected.';
const NETWORK_JA = '電話サービスに接続できません。ネットワーク（プロキシやファイアウォール）を確認してください。';

let twilioEdge; // VOICE_BACKEND = twilio (wrangler.toml's default)
let doubleEdge; // VOICE_BACKEND = double
let browser;
let rest;
let voiceDouble;
before(async () => {
  [rest, voiceDouble] = await Promise.all([startRestRecorder(), startFakeVoiceDouble()]);
  [twilioEdge, doubleEdge, browser] = await Promise.all([
    startWranglerDev({ vars: { TWILIO_API_BASE: rest.url } }),
    startWranglerDev({ vars: { TWILIO_API_BASE: rest.url, VOICE_BACKEND: 'double', TWILIO_DOUBLE_CLIENT_URL: voiceDouble.url } }),
    launchBrowser(),
  ]);
});
after(async () => {
  await browser?.close();
  await twilioEdge?.stop();
  await doubleEdge?.stop();
  await voiceDouble?.close();
  await rest?.close();
});

/**
 * A CRM on another origin that signs `agent` in. Returns the page with `sdkRequests` (URLs of the
 * SDK file the widget asked for), `voiceTokens` (the tokens `/api/token` answered, in order),
 * `responses` (every response from the edge) and `closeAll()`. With `fakeSdk`, the SDK file is
 * the recording stand-in; `prepare(context)` runs before the page opens.
 */
async function signedIn(edge, agent, { fakeSdk = false, name = agent, team, prepare } = {}) {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const sdkRequests = [];
  const voiceTokens = [];
  const responses = [];
  const crm = await CrmPage.open(browser, host.url, {
    embedTokens: () => embedToken({ agent, name, team }),
    prepare: async (page) => {
      const context = page.context();
      context.on('request', (request) => {
        if (TWILIO_SDK_URL.test(request.url())) sdkRequests.push(request.url());
      });
      context.on('response', (response) => {
        if (!response.url().startsWith(edge.url)) return;
        responses.push(response);
        if (new URL(response.url()).pathname === '/api/token') {
          response.json().then((reply) => voiceTokens.push(reply.token), () => {});
        }
      });
      if (fakeSdk) await routeFakeTwilioSdk(context);
      await prepare?.(context);
    },
  });
  crm.sdkRequests = sdkRequests;
  crm.voiceTokens = voiceTokens;
  crm.responses = responses;
  crm.closeAll = async () => { await crm.close(); await host.close(); };
  return crm;
}

/** Polls `read(arg)` in the widget frame until `accept(value)`; returns the value. */
async function eventually(frame, read, arg, accept, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await frame.evaluate(read, arg);
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the test has read `n` `/api/token` replies: the page may use a reply before
 *  Playwright's listener has read its body. */
async function tokensRead(crm, n, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (crm.voiceTokens.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return crm.voiceTokens.length;
}

/** In the widget frame: what the widget did with the (first) fake Device. */
const device = () => {
  const d = window.__fakeTwilio.devices[0];
  return d && { token: d.token, tokens: d.tokens, options: d.options, log: d.log, listeners: d.listenerTotal() };
};

/** In the widget frame: what the widget did with the fake Call `callSid`. */
const callOf = (callSid) => {
  const c = window.__fakeTwilio.calls.find((call) => call.parameters.CallSid === callSid);
  return { log: c.log, listeners: c.listenerTotal() };
};

test('the widget drives Twilio.Device: Tokyo edge, the /api/token token, refresh on tokenWillExpire and after a reconnect, the offer\'s call, plain-words microphone error', async () => {
  const crm = await signedIn(twilioEdge, 'sato', { fakeSdk: true, name: '佐藤 花子', team: 'sales' });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    assert.equal(crm.sdkRequests.length, 1, 'the SDK file is loaded once');

    const registered = await widget.frame.evaluate(device);
    assert.equal(await tokensRead(crm, 1), 1);
    assert.match(crm.voiceTokens[0], /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(registered.token, crm.voiceTokens[0], 'the Device gets the token /api/token answered');
    assert.equal(registered.options.edge, 'tokyo');
    assert.deepEqual(registered.log, ['new', 'audio.incoming:false', 'register'],
      'the SDK ringtone is off (the widget rings) and the line registers');

    // tokenWillExpire: a fresh token from /api/token goes to updateToken.
    await widget.frame.evaluate(() => window.__fakeTwilio.devices[0].emit('tokenWillExpire', window.__fakeTwilio.devices[0]));
    const refreshed = await eventually(widget.frame, device, null, (d) => d.log.includes('updateToken'), 'updateToken after tokenWillExpire');
    assert.equal(await tokensRead(crm, 2), 2, 'one more /api/token request');
    assert.equal(refreshed.token, crm.voiceTokens[1]);

    // A reconnect: the line drops (unregistered), the SDK registers again, and the token is renewed.
    await widget.frame.evaluate(() => window.__fakeTwilio.devices[0].emit('unregistered'));
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="connecting"]');
    await widget.frame.evaluate(() => window.__fakeTwilio.devices[0].emit('registered'));
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    const renewed = await eventually(widget.frame, device, null, (d) => d.tokens.length === 3, 'updateToken after the reconnect');
    assert.equal(await tokensRead(crm, 3), 3);
    assert.equal(renewed.token, crm.voiceTokens[2]);

    // A customer calls: the hub offers the call, the SDK rings with the offer's conversation.
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');
    const callSid = sid();
    const legSid = sid();
    const res = await postWebhook(new URL('/twilio/voice/demo/incoming', twilioEdge.url).href,
      inboundCallParams({ callSid, from: YAMADA, to: MAIN_LINE, accountSid: ACCOUNT }),
      { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN });
    assert.equal(res.status, 200);
    await widget.offer.waitFor();
    assert.equal(await widget.accept.isDisabled(), true, 'Accept waits for the phone line');
    // Another call with another conversation does not enable this offer's Accept.
    await widget.frame.evaluate(([other]) => window.__fakeTwilio.devices[0].ring(other, '+81300000000', { conversation: 'CAffffffffffffffffffffffffffffffff', attempt: '1' }), [sid()]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await widget.accept.isDisabled(), true, 'a call for another conversation is not this offer\'s');
    await widget.frame.evaluate(([leg, conversation, from]) =>
      window.__fakeTwilio.devices[0].ring(leg, from, { conversation, attempt: '1' }), [legSid, callSid, YAMADA]);
    await widget.frame.waitForSelector('[data-testid="offer-accept"]:not([disabled])');
    await widget.accept.click();
    const accepted = await eventually(widget.frame, callOf, legSid, (c) => c.log.includes('accept'), 'call.accept()');
    assert.deepEqual(accepted.log, ['accept'], 'Accept on the offer card accepts the SDK call of that offer');
    await widget.frame.getByTestId('call').waitFor();
    assert.deepEqual(await crm.waitForEvent('accepted'), { conversation: callSid });

    await widget.frame.getByRole('button', { name: '5' }).click();
    await widget.frame.getByTestId('call-mute').click();
    await widget.frame.evaluate(([leg]) => window.__fakeTwilio.calls.find((c) => c.parameters.CallSid === leg).emit('warning', 'high-rtt', {}), [legSid]);
    await widget.frame.waitForSelector('[data-testid="call-warning"][data-kind="poor-network"]');
    assert.equal(await widget.frame.getByTestId('call-warning').textContent(), '回線が不安定です。相手に声が途切れて聞こえているかもしれません。');
    await widget.frame.evaluate(([leg]) => window.__fakeTwilio.calls.find((c) => c.parameters.CallSid === leg).emit('warning-cleared', 'high-rtt'), [legSid]);
    await widget.frame.getByTestId('call-warning').waitFor({ state: 'detached' });
    await widget.frame.getByTestId('call-hang-up').click();
    await widget.frame.getByTestId('call').waitFor({ state: 'detached' });
    assert.equal((await crm.waitForEvent('ended')).conversation, callSid);
    const ended = await widget.frame.evaluate(callOf, legSid);
    assert.deepEqual(ended.log, ['accept', 'digits:5', 'mute:true', 'disconnect']);
    assert.equal(ended.listeners, 0, 'the widget took its listeners off the ended call');

    // A microphone error (31208) in plain words, in Japanese, then in English; the host hears it once.
    await widget.frame.evaluate(() => window.__fakeTwilio.devices[0].emit('error', { code: 31208, name: 'PermissionDeniedError', message: 'denied' }));
    await widget.frame.waitForSelector('[data-testid="notice"][data-code="voice_microphone"]');
    assert.equal(await widget.notice.locator('.notice__text').textContent(), MICROPHONE_JA);
    await widget.langToggle.click();
    assert.equal(await widget.notice.locator('.notice__text').textContent(), MICROPHONE_EN);
    assert.deepEqual(await crm.waitForEvent('error', (d) => d.code === 'voice_microphone'), { code: 'voice_microphone', message: MICROPHONE_EN });
    assert.equal(await widget.frame.getByTestId('voice-state').getAttribute('data-state'), 'ready', 'a microphone problem does not take the line down');
  } finally {
    await crm.closeAll();
  }
});

test('with the real SDK and no way to reach Twilio, the widget loads the SDK, creates the Device and says the phone service cannot be reached; no secret reaches the browser', async () => {
  const crm = await signedIn(twilioEdge, 'ito');
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="notice"][data-code="voice_network"]', { timeout: 30_000 });
    assert.equal(await widget.notice.locator('.notice__text').textContent(), NETWORK_JA);
    assert.equal(await widget.frame.getByTestId('voice-state').getAttribute('data-state'), 'failed');
    // Twilio's signalling host cannot be resolved from this machine: the SDK's WebSocket fails.
    assert.equal(crm.sdkRequests.length, 1, 'the widget asked for the SDK file');
    const sdk = crm.responses.find((r) => TWILIO_SDK_URL.test(r.url()));
    assert.equal(sdk?.status(), 200);
    const served = await sdk.body();
    const bundle = await readFile(SDK_BUNDLE);
    assert.ok(served.subarray(served.length - bundle.length).equals(bundle), 'the real SDK bundle, byte for byte');
    assert.match(served.subarray(0, 200).toString(), /^\/\*! @twilio\/voice-sdk\.js 2\.\d+\.\d+\n[^]*Copyright \(C\) [\d-]+ Twilio/, 'under its licence comment');
    assert.deepEqual(await widget.frame.evaluate(() => ({
      device: typeof window.Twilio?.Device, script: document.querySelectorAll('script[data-tsunagu="twilio-voice-sdk"]').length,
    })), { device: 'function', script: 1 });
    assert.equal((await crm.waitForEvent('error', (d) => d.code === 'voice_network')).code, 'voice_network');

    const secrets = Object.entries(DEV_VARS).filter(([name]) => /SECRET|AUTH_TOKEN/.test(name));
    assert.ok(secrets.some(([name]) => name === 'TENANT_DEMO_TWILIO_AUTH_TOKEN'));
    assert.ok(secrets.some(([name]) => name === 'TENANT_DEMO_TWILIO_API_KEY_SECRET'));
    assert.ok(crm.responses.length >= 6, 'the page, its assets, the session and the token were seen');
    for (const response of crm.responses) {
      const body = await response.text().catch(() => '');
      for (const [name, value] of secrets) {
        assert.equal(body.includes(value), false, `${name} appears in ${response.url()}`);
      }
    }
  } finally {
    await crm.closeAll();
  }
});

test('the worker\'s CSP lets the SDK reach Twilio, the SDK runs without a CSP violation and an unresolvable Twilio host shows the same plain-words error', async () => {
  const crm = await signedIn(twilioEdge, 'tanaka', {
    prepare: (context) => context.route(/\/widget\?tenant=/, async (route) => {
      const response = await route.fetch();
      const csp = response.headers()['content-security-policy'];
      assert.match(csp, /connect-src 'self' wss:\/\/\*\.twilio\.com https:\/\/\*\.twilio\.com;/);
      assert.match(csp, /media-src 'self' blob: https:\/\/sdk\.twilio\.com;/);
      await route.fulfill({ response });
    }),
  });
  try {
    const widget = await crm.widget();
    // A page fulfilled by the test counts as public for Chromium's local-network checks, so the
    // hub socket to 127.0.0.1 is refused here: this test looks at the phone line only.
    await widget.frame.waitForSelector('[data-testid="notice"][data-code="voice_network"]', { timeout: 30_000 });
    assert.equal(await widget.notice.locator('.notice__text').textContent(), NETWORK_JA);
    await crm.consoleLine(/voice-js\.tokyo\.twilio\.com\/signal.*ERR_NAME_NOT_RESOLVED/);
    assert.deepEqual(crm.console.filter((line) => /Content Security Policy/.test(line)), []);
  } finally {
    await crm.closeAll();
  }
});

test('with the double backend the widget never downloads the Twilio SDK', async () => {
  const crm = await signedIn(doubleEdge, 'suzuki');
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(crm.sdkRequests, []);
    assert.deepEqual(await widget.frame.evaluate(() => ({
      twilio: typeof window.Twilio, script: document.querySelectorAll('script[data-tsunagu="twilio-voice-sdk"]').length,
    })), { twilio: 'undefined', script: 0 });
    assert.match(await widget.frame.evaluate(() => document.querySelector('meta[name="tsunagu-twilio-sdk"]').content), TWILIO_SDK_URL,
      'the page names the SDK file all the same');
  } finally {
    await crm.closeAll();
  }
});
