//! Browser tests of the host API and the softphone: sign-in via getEmbedToken, presence, errors, foreign messages, a signed incoming call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { DEV_VARS, embedToken } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';
import { CrmPage } from './pages/crm-page.mjs';

const ACCOUNT = 'AC00000000000000000000000000000d30';
const YAMADA = '+81355550101'; // c001, owned by sato (sales)
const MAIN_LINE = '+815012345678';

let edge;
let browser;
let rest;
before(async () => {
  rest = await startRestRecorder();
  [edge, browser] = await Promise.all([
    startWranglerDev({ vars: { TWILIO_API_BASE: rest.url } }),
    launchBrowser(),
  ]);
});
after(async () => {
  await browser?.close();
  await edge?.stop();
  await rest?.close();
});

/** A CRM on another origin (localhost) that signs `agent` in through Tsunagu.init. */
async function signedInHost(agent, { team, locale = 'ja-JP', tokens, viewport, prepare } = {}) {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const crm = await CrmPage.open(browser, host.url, {
    locale,
    viewport,
    prepare,
    embedTokens: tokens ?? (() => embedToken({ agent, name: agent === 'sato' ? '佐藤 花子' : agent, team })),
  });
  crm.closeAll = async () => { await crm.close(); await host.close(); };
  return crm;
}

test('a CRM on another origin signs the agent in with getEmbedToken; setPresence works; the session never reaches the host', async () => {
  const crm = await signedInHost('tanaka', { team: 'support', locale: 'en-US' });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    assert.deepEqual(await crm.waitForEvent('signed-in'), { agent: 'tanaka', name: 'tanaka' });
    assert.equal(await widget.status.textContent(), 'Signed in: tanaka');
    assert.equal(crm.tokensHandedOut, 1, 'one token for one session');
    const ready = await crm.waitForEvent('ready');
    assert.match(ready.version, /^[0-9a-f]{12}$/, 'the widget says hello with its build version');

    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');
    await crm.waitForEvent('presence', (d) => d.status === 'available');
    await crm.page.evaluate(() => Tsunagu.setPresence({ away: 'lunch' }));
    await widget.waitForPresence('away');
    assert.equal(await widget.presence.textContent(), 'Away (Lunch)');
    assert.deepEqual(await crm.waitForEvent('presence', (d) => d.status?.away), { status: { away: 'lunch' } });

    // Without a registered phone line, dial() says so instead of pretending.
    await crm.page.evaluate(() => Tsunagu.dial('+81355550101', { customerId: 'c001' }));
    await widget.confirmDial();
    assert.equal((await crm.waitForEvent('error', (d) => d.code === 'dial_failed')).code, 'dial_failed');

    // The voice backend is Twilio here, which this machine cannot reach: the widget says so.
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="failed"]', { timeout: 30_000 });
    assert.equal((await crm.waitForEvent('error', (d) => d.code === 'voice_network')).code, 'voice_network');

    // Nothing the host received looks like a session (or any) JWT.
    const all = JSON.stringify(await crm.events());
    assert.doesNotMatch(all, /eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    assert.doesNotMatch(all, /session/);
    const hostApi = await crm.page.evaluate(() => ({
      frozen: Object.isFrozen(window.Tsunagu), keys: Object.keys(window.Tsunagu).sort(), version: Tsunagu.version,
    }));
    assert.deepEqual(hostApi, { frozen: true, keys: ['dial', 'enableNotifications', 'init', 'on', 'setMinimized', 'setPresence', 'version'], version: '1.1.0' });

    await crm.page.evaluate(() => Tsunagu.setPresence('offline'));
    await widget.waitForPresence('offline');
  } finally {
    await crm.closeAll();
  }
});

test('an expired embed token shows a clear error in both languages and the host gets an error event', async () => {
  const expired = embedToken({ agent: 'ito', now: Math.floor(Date.now() / 1000) - 3600, ttl: 300 });
  const crm = await signedInHost('ito', { tokens: () => expired });
  try {
    const widget = await crm.widget();
    const error = await crm.waitForEvent('error');
    assert.deepEqual(error, { code: 'token_expired', message: 'The token has expired.' });
    await widget.waitForState('signed-out');
    await widget.frame.waitForSelector('[data-testid="notice"][data-code="token_expired"]');
    assert.equal(
      await widget.notice.locator('.notice__text').textContent(),
      'サインイン用トークンの有効期限が切れています。CRM からもう一度サインインしてください。',
    );
    await widget.langToggle.click();
    assert.equal(
      await widget.notice.locator('.notice__text').textContent(),
      'The sign-in token has expired. Sign in again from your CRM.',
    );
    assert.equal((await crm.events()).some((e) => e.type === 'signed-in'), false);
  } finally {
    await crm.closeAll();
  }
});

test('messages from a foreign origin are ignored by both the loader and the widget', async () => {
  // An "ad" iframe from another origin inside the CRM page tries to talk to both sides.
  const attacker = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><script>
      parent.postMessage({ tsunagu: 1, type: 'event', event: 'signed-in', detail: { agent: 'mallory', name: 'evil' } }, '*');
      parent.postMessage({ tsunagu: 1, type: 'token-request', id: 99 }, '*');
      parent.postMessage({ tsunagu: 1, type: 'hello', version: 'evil' }, '*');
      // The widget's window sits in a closed shadow root: it is not among the page's frames.
      document.title = 'frames:' + parent.frames.length;
    </script>`);
  });
  await new Promise((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  const crm = await signedInHost('ito', { team: 'support' });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');
    const tokensBefore = crm.tokensHandedOut;
    const readyBefore = (await crm.events()).filter((e) => e.type === 'ready').length;

    await crm.page.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = src;
      document.body.appendChild(frame);
    }, `http://127.0.0.1:${attacker.address().port}/`);
    await crm.consoleLine(/\[tsunagu\] ignored a message from another window or origin \(3\)/);
    const attackerFrame = crm.page.frames().find((f) => f.url().startsWith(`http://127.0.0.1:${attacker.address().port}`));
    assert.equal(await attackerFrame.title(), 'frames:1', 'the attacker can reach only itself');

    // The widget's own window (right window type, wrong source and origin) cannot command it either.
    await widget.frame.evaluate(() => {
      window.postMessage({ tsunagu: 1, type: 'set-presence', status: 'offline' }, '*');
      window.postMessage({ tsunagu: 1, type: 'init', lang: 'en' }, '*');
    });
    await crm.consoleLine(/\[tsunagu widget\] ignored a message \(another window or origin\); 2 so far/);
    await crm.page.waitForTimeout(500);

    assert.equal(await widget.presence.getAttribute('data-status'), 'available', 'the widget did not go offline');
    assert.equal(await widget.langToggle.textContent(), 'EN', 'the widget did not switch language');
    const events = await crm.events();
    assert.equal(events.some((e) => JSON.stringify(e).includes('mallory')), false, 'the host saw no forged event');
    assert.equal(events.filter((e) => e.type === 'ready').length, readyBefore, 'no forged ready');
    assert.equal(crm.tokensHandedOut, tokensBefore, 'no embed token was handed out to the forged request');
    await crm.page.evaluate(() => Tsunagu.setPresence('offline'));
    await widget.waitForPresence('offline');
  } finally {
    await crm.closeAll();
    await new Promise((resolve) => attacker.close(resolve));
  }
});

test('a signed incoming call rings the owner\'s widget with the screen pop; the host hears ring; Reject takes it away', async () => {
  const crm = await signedInHost('sato', { team: 'sales', viewport: { width: 800, height: 700 } });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');

    const callSid = sid();
    const url = new URL('/twilio/voice/demo/incoming', edge.url).href;
    const res = await postWebhook(url, inboundCallParams({ callSid, from: YAMADA, to: MAIN_LINE, accountSid: ACCOUNT }), {
      authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN,
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<Identity>demo_sato<\/Identity>/);

    await widget.offer.waitFor({ timeout: 10_000 });
    assert.equal(await widget.offerCaller.textContent(), '03-5555-0101', 'the number as a Japanese agent reads it');
    assert.match(await widget.offerCustomer.textContent(), /山田 太郎/);
    assert.equal(await widget.offerOwner.textContent(), '担当: 佐藤 花子');
    assert.equal(await widget.offer.getAttribute('data-conversation'), callSid);
    assert.equal(await widget.offer.getAttribute('data-ringtone'), 'true', 'the ringtone plays');
    assert.equal(await widget.accept.isDisabled(), true, 'no phone line in this build: Accept cannot pretend');
    await widget.waitForPresence('reserved');

    const ring = await crm.waitForEvent('ring');
    assert.equal(ring.conversation, callSid);
    assert.equal(ring.caller, YAMADA);
    assert.equal(ring.customer.id, 'c001');
    assert.match(ring.customer.name, /山田 太郎/);
    assert.equal(ring.customer.owner, 'sato');
    await crm.page.screenshot({ path: 'tests/.artifacts/offer.png' }).catch(() => {});

    await widget.reject.click();
    await widget.offer.waitFor({ state: 'detached', timeout: 10_000 });
    await widget.frame.waitForFunction(() => document.querySelector('[data-testid="presence-status"]')?.dataset.status !== 'reserved');
    // The caller leg ends; the call leaves nothing ringing.
    await postWebhook(new URL('/twilio/voice/demo/status', edge.url).href, {
      AccountSid: ACCOUNT, CallSid: callSid, CallStatus: 'completed', Direction: 'inbound',
      From: YAMADA, To: MAIN_LINE, SequenceNumber: '1',
    }, { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN });
  } finally {
    await crm.closeAll();
  }
});

test('the widget works at 360 px wide; a host speaking another message version is refused with incompatible_host', async () => {
  const crm = await signedInHost('watanabe', { team: 'support', viewport: { width: 360, height: 640 } });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    const overflow = await widget.frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling in the widget (overflow ${overflow}px)`);
    const big = await widget.presence.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(big >= 28, `the presence reads across a room (${big}px)`);
    await crm.page.screenshot({ path: 'tests/.artifacts/widget-360.png' }).catch(() => {});
  } finally {
    await crm.closeAll();
  }

  // A loader of another major version (say, a cached embed.js during a deploy) stamps its
  // messages with tsunagu: 2; the widget refuses them and says so to the host.
  const skewed = await signedInHost('watanabe', {
    team: 'support',
    prepare: (page) => page.route('**/embed.js', async (route) => {
      const original = await route.fetch();
      // The one place the loader stamps its major version (`message.tsunagu = MAJOR`, minified
      // in a release build to `e.tsunagu=w`).
      const text = await original.text();
      const body = text.replace(/(\.tsunagu\s*=\s*)[\w$]+/, (_, stamp) => `${stamp}2`);
      assert.notEqual(body, text, 'the loader stamps its version');
      await route.fulfill({ response: original, body });
    }),
  });
  try {
    const widget = await skewed.widget();
    await widget.waitForState('incompatible-host');
    assert.equal((await skewed.waitForEvent('error', (d) => d.code === 'incompatible_host')).code, 'incompatible_host');
    assert.equal(await widget.status.textContent(), 'CRM側の連携スクリプトと版が合いません。ページを再読み込みしてください');
    assert.equal(skewed.tokensHandedOut ?? 0, 0, 'no sign-in with an incompatible host');
  } finally {
    await skewed.closeAll();
  }
});
