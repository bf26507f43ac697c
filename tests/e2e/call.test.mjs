//! Story (a) in Chromium with the real Twilio test double: the owner's widget rings with screen pop, answers, the caller hangs up, one conversation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { freePort, startDouble } from '../support/double.mjs';
import { CrmPage } from './pages/crm-page.mjs';

const YAMADA = '+81355550101'; // c001, owned by sato

let edge;
let browser;
let double;
before(async () => {
  const port = await freePort();
  [edge, browser] = await Promise.all([
    startWranglerDev({
      vars: {
        TWILIO_API_BASE: `http://127.0.0.1:${port}`,
        VOICE_BACKEND: 'double',
        TWILIO_DOUBLE_CLIENT_URL: `ws://127.0.0.1:${port}/_double/client`,
      },
    }),
    launchBrowser(),
  ]);
  double = await startDouble({ port, workerUrl: edge.url, timeScale: 0.5 });
});
after(async () => {
  await browser?.close();
  await double?.stop();
  await edge?.stop();
});

test('(a) a customer calls; the owner\'s widget rings with screen pop, the agent answers, the caller hangs up; one answered conversation', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const crm = await CrmPage.open(browser, host.url, { embedTokens: () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }) });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');

    const callSid = await double.call(YAMADA);
    await widget.offer.waitFor();
    assert.match(await widget.offer.textContent(), /山田 太郎/, 'screen pop shows the customer');
    await widget.frame.waitForSelector('[data-testid="offer-accept"]:not([disabled])', { timeout: 10_000 });
    await widget.accept.click();
    assert.deepEqual(await crm.waitForEvent('accepted'), { conversation: callSid });
    await widget.frame.getByTestId('call').waitFor();
    await double.waitForCall(callSid, (s) => s.legs?.some((leg) => leg.status === 'in-progress' && String(leg.to).includes('sato')),
      'the agent leg answered at the double');

    await new Promise((resolve) => setTimeout(resolve, 1000));
    await double.hangup(callSid);
    const ended = await crm.waitForEvent('ended');
    assert.equal(ended.conversation, callSid);
    assert.equal(ended.log?.interaction, callSid, 'the ended event carries the stitched call log');
    assert.equal(ended.log.answered_by, 'sato');
    assert.ok(ended.log.agent_legs.find((leg) => leg.agent === 'sato')?.ended_at, 'the log shows the agent\'s part over');
    await widget.frame.getByTestId('call').waitFor({ state: 'detached' });

    const { session } = await openSession(edge.url, embedToken({ agent: 'sato' }));
    const deadline = Date.now() + 15_000;
    let conversation;
    while (!conversation && Date.now() < deadline) {
      const res = await fetch(new URL('/api/conversations?number=03-5555-0101', edge.url), { headers: { authorization: `Bearer ${session}` } });
      conversation = (await res.json()).conversations.find((c) => c.interaction === callSid && c.outcome === 'answered');
      if (!conversation) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.ok(conversation, 'the stitched log has the answered conversation');
    assert.equal(conversation.answered_by, 'sato');
  } finally {
    await crm.close();
    await host.close();
  }
});

test('the demo page\'s simulated caller rings the signed-in owner and hears the queue when nobody takes it', async () => {
  const crm = await CrmPage.open(browser, new URL('/demo', edge.url).href);
  try {
    await crm.page.selectOption('#agent', 'sato');
    await crm.page.click('#sign-in');
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await crm.page.click('[data-presence="available"]');
    await widget.waitForPresence('available');

    // Pick 山田 太郎 (owned by sato) from the customer list and call.
    await crm.page.selectOption('#sim-from', '+81355550101');
    await crm.page.click('#sim-call');
    await widget.offer.waitFor();
    assert.match(await widget.offer.textContent(), /山田 太郎/);
    await crm.page.waitForFunction(() => /CA[0-9a-f]{32}/.test(document.getElementById('sim-status').textContent));
    await crm.page.click('#sim-hangup');
    await widget.offer.waitFor({ state: 'detached' });

    // Everyone away: a caller typed in as a national number waits in the queue and hears its position.
    await crm.page.click('[data-presence="away:break"]');
    await widget.waitForPresence('away');
    await crm.page.fill('#sim-number', '090-5555-0103');
    await crm.page.click('#sim-call');
    await crm.page.waitForFunction(() => /1番目/.test(document.getElementById('sim-heard').textContent), null, { timeout: 15_000 });
    await crm.page.click('#sim-hangup');
  } finally {
    await crm.close();
  }
});
