//! Browser test of the widget's `double` voice backend: the line rings with the offer's conversation, Accept, call timer, hang-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { DEV_VARS, embedToken } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';
import { startFakeVoiceDouble } from '../support/fake-voice-double.mjs';
import { CrmPage } from './pages/crm-page.mjs';

const ACCOUNT = 'AC00000000000000000000000000000d30';
const YAMADA = '+81355550101';

let edge;
let browser;
let rest;
let double;
before(async () => {
  [rest, double] = await Promise.all([startRestRecorder(), startFakeVoiceDouble()]);
  [edge, browser] = await Promise.all([
    startWranglerDev({ vars: { TWILIO_API_BASE: rest.url, VOICE_BACKEND: 'double', TWILIO_DOUBLE_CLIENT_URL: double.url } }),
    launchBrowser(),
  ]);
});
after(async () => {
  await browser?.close();
  await edge?.stop();
  await double?.close();
  await rest?.close();
});

test('with the double backend the widget registers its line, matches the ringing call to the offer, accepts, times and hangs up', async () => {
  const page = await fetch(new URL('/widget?tenant=demo', edge.url));
  assert.match(page.headers.get('content-security-policy'), new RegExp(`connect-src 'self' ${new URL(double.url).origin.replace(/\./g, '\\.')};`));

  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const crm = await CrmPage.open(browser, host.url, { embedTokens: () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }) });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    assert.equal(double.clients.length, 1);
    assert.match(double.clients[0].token, /^eyJ/, 'the line registers with the Access Token from /api/token');
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');

    const callSid = sid();
    const legSid = sid();
    const res = await postWebhook(new URL('/twilio/voice/demo/incoming', edge.url).href,
      inboundCallParams({ callSid, from: YAMADA, to: '+815012345678', accountSid: ACCOUNT }),
      { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN });
    assert.equal(res.status, 200);
    await widget.offer.waitFor();
    assert.equal(await widget.accept.isDisabled(), true, 'Accept waits for the phone line');

    double.ring({ call_sid: legSid, parent_call_sid: callSid, from: YAMADA, parameters: { conversation: callSid, attempt: '1' } });
    await widget.frame.waitForSelector('[data-testid="offer-accept"]:not([disabled])');
    await widget.accept.click();
    await double.waitFor((m) => m.type === 'accept' && m.call_sid === legSid);
    await widget.offer.waitFor({ state: 'detached' });
    const call = widget.frame.getByTestId('call');
    await call.waitFor();
    assert.deepEqual(await crm.waitForEvent('accepted'), { conversation: callSid });
    await widget.frame.waitForFunction(() => document.querySelector('[data-testid="call-timer"]')?.textContent === '0:02', null, { timeout: 5000 });

    await widget.frame.getByRole('button', { name: '5' }).click();
    await double.waitFor((m) => m.type === 'dtmf' && m.digits === '5' && m.call_sid === legSid);
    await widget.frame.getByTestId('call-hang-up').click();
    await double.waitFor((m) => m.type === 'hangup' && m.call_sid === legSid);
    await call.waitFor({ state: 'detached' });
    assert.equal((await crm.waitForEvent('ended')).conversation, callSid);
  } finally {
    await crm.close();
    await host.close();
  }
});
