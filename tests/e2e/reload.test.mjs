//! Reload safety in Chromium with the Twilio double: a new widget build waits for the call to end; a CRM reload mid-call restores the call view and re-joins the caller.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { startVoiceStack } from '../support/voice-stack.mjs';
import { CrmPage } from './pages/crm-page.mjs';
import { CallPanel } from './pages/call-panel.mjs';

const YAMADA = '+81355550101'; // c001, owned by sato

let stack;
let edge;
let browser;
let double;
before(async () => {
  stack = await startVoiceStack({ vars: {
    // Widgets ask for the current build every second here (five minutes in production).
    WIDGET_VERSION_CHECK_MS: '1000',
  } });
  ({ edge, browser, double } = stack);
});
after(async () => {
  await stack?.stop();
});

const answeredLegsOf = (state, agent) =>
  (state.legs ?? []).filter((leg) => String(leg.to).includes(agent) && ['in-progress', 'completed'].includes(leg.status));

/**
 * Answers a call, reloads the CRM page mid-call and checks the caller is re-joined. With
 * `lineDelayMs`, the reloaded widget's phone line reaches the double only that long after the page
 * opened it, so the hub's `Resume` surely comes before the line is up.
 */
async function reloadMidCall({ lineDelayMs = 0 } = {}) {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const crm = await CrmPage.open(browser, host.url, { embedTokens: () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }) });
  try {
    let widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');

    const callSid = await double.call(YAMADA);
    await widget.waitForOffer(callSid);
    await widget.acceptOffer(callSid);
    await double.waitForCall(callSid, (s) => answeredLegsOf(s, 'sato').length === 1, 'the agent leg answered');
    // Long enough that a timer restarted by the reload (0:00, 0:01) cannot pass for one that kept
    // counting from the answer.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    if (lineDelayMs) {
      await crm.page.context().routeWebSocket(/\/_double\/client/, async (socket) => {
        await new Promise((resolve) => setTimeout(resolve, lineDelayMs));
        socket.connectToServer();
      });
    }
    widget = await crm.reload();
    const call = new CallPanel(widget.frame);
    await call.root.waitFor({ timeout: 20_000 });
    assert.match(await call.root.textContent(), /山田 太郎/, 'the restored call view names the customer');
    const timer = await widget.frame.getByTestId('call-timer').textContent();
    const [minutes, seconds] = timer.split(':').map(Number);
    assert.ok(minutes * 60 + seconds >= 3, `the timer continues from the answer, not from the reload: ${timer}`);

    const state = await double.waitForCall(callSid, (s) => answeredLegsOf(s, 'sato').length === 2 && s.status === 'in-progress',
      'the reloaded widget answered the caller again', 30_000);
    const heard = state.events.filter((e) => e.kind === 'say').map((e) => e.text);
    assert.ok(heard.some((text) => text.startsWith('担当者の回線が切れました')), `the caller was told to hold: ${JSON.stringify(heard)}`);
    await widget.waitForPresence('on_call');
    await widget.frame.waitForSelector('[data-testid="call-hang-up"]:not([disabled])');

    await call.hangUp.click();
    const ended = await crm.waitForEvent('ended');
    assert.equal(ended.conversation, callSid);
    await widget.waitForPresence('wrap_up');

    const { session } = await openSession(edge.url, embedToken({ agent: 'sato' }));
    const res = await fetch(new URL(`/api/conversations/${callSid}`, edge.url), { headers: { authorization: `Bearer ${session}` } });
    const log = await res.json();
    assert.equal(log.outcome, 'answered');
    assert.equal(log.answered_by, 'sato');
  } finally {
    await crm.close();
    await host.close();
  }
}

test('reloading the CRM page mid-call: the caller holds, the reloaded widget shows the call again and is rung through to the caller', async () => {
  await reloadMidCall();
});

test('a reloaded widget whose phone line comes up only after it was told of the call still re-joins the caller', async () => {
  await reloadMidCall({ lineDelayMs: 2000 });
});

test('a new widget build is not applied during a call: the widget updates itself once the call and its wrap-up are over', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const crm = await CrmPage.open(browser, host.url, { embedTokens: () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }) });
  const readies = async () => (await crm.events()).filter((e) => e.type === 'ready').length;
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');
    const callSid = await double.call(YAMADA);
    await widget.offer.waitFor();
    await widget.frame.waitForSelector('[data-testid="offer-accept"]:not([disabled])', { timeout: 10_000 });
    await widget.accept.click();
    const call = new CallPanel(widget.frame);
    await call.root.waitFor();

    // The worker now serves a newer build.
    await crm.page.context().route('**/widget/version', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ version: 'next-build' }) }));
    await widget.frame.waitForSelector('.widget[data-update="pending"]');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(await readies(), 1, 'the widget did not reload during the call');
    assert.ok(await call.root.isVisible(), 'the call view is still there');

    await double.hangup(callSid);
    await widget.waitForPresence('wrap_up');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await readies(), 1, 'nor during wrap-up');
    await call.finishWrapUp({ disposition: 'resolved' });

    // Idle now: the widget reloads into the new build (the loader hears a second hello).
    const deadline = Date.now() + 15_000;
    while ((await readies()) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await readies(), 2, 'the widget updated itself once idle');
    const updated = await crm.widget();
    await updated.waitForState('connected');
    assert.match(updated.frame.url(), /updating_to=next-build/);
    // Still this build (the route only pretends): it does not loop on the same target.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(await readies(), 2);
  } finally {
    await crm.close();
    await host.close();
  }
});
