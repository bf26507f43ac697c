//! Session revocation in Chromium with the Twilio double: an admin revokes the agent's sessions mid-call;
//! the widget asks the host for a fresh embed token, signs in again and keeps the live call.
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
  stack = await startVoiceStack();
  ({ edge, browser, double } = stack);
});
after(async () => {
  await stack?.stop();
});

const answeredLegsOf = (state, agent) =>
  (state.legs ?? []).filter((leg) => String(leg.to).includes(agent) && ['in-progress', 'completed'].includes(leg.status));

test('revoking the agent\'s sessions mid-call: the widget signs in again with a fresh embed token and the call stays live', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const crm = await CrmPage.open(browser, host.url, { embedTokens: () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }) });
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    await crm.page.evaluate(() => Tsunagu.setPresence('available'));
    await widget.waitForPresence('available');

    const callSid = await double.call(YAMADA);
    await widget.waitForOffer(callSid);
    await widget.acceptOffer(callSid);
    await double.waitForCall(callSid, (s) => answeredLegsOf(s, 'sato').length === 1, 'the agent leg answered');
    const call = new CallPanel(widget.frame);
    await call.root.waitFor();
    const tokensBefore = crm.tokensHandedOut;
    // Every connection state the widget shows from now on.
    await widget.frame.evaluate(() => {
      const status = document.querySelector('[data-testid="connection-status"]');
      window.shownStates = [];
      new MutationObserver(() => window.shownStates.push(status.getAttribute('data-state')))
        .observe(status, { attributes: true, attributeFilter: ['data-state'] });
    });

    const { session: admin } = await openSession(edge.url, embedToken({ agent: 'watanabe', roles: ['agent', 'admin'] }));
    const revoked = await fetch(new URL('/api/agents/sato/sessions/revoke', edge.url), {
      method: 'POST', headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(revoked.status, 200);
    assert.ok((await revoked.json()).revoked >= 1);

    // The widget hears 4004, asks the host for a fresh embed token and reconnects with it.
    const deadline = Date.now() + 20_000;
    while (crm.tokensHandedOut === tokensBefore) {
      assert.ok(Date.now() < deadline, 'the widget asked the host for a fresh embed token');
      await crm.page.waitForTimeout(100);
    }
    await widget.waitForState('connected');
    await widget.waitForPresence('on_call');
    assert.ok(await call.root.isVisible(), 'the call view stayed');
    // Straight back: reconnecting, then connected; never "signing in" (which the widget shows
    // when the hub refuses a hello, i.e. had it retried with the revoked session first).
    const shown = await widget.frame.evaluate(() => window.shownStates);
    assert.ok(shown.includes('reconnecting'), JSON.stringify(shown));
    assert.ok(!shown.includes('signing-in'), `the widget went back through sign-in: ${JSON.stringify(shown)}`);
    const state = await double.waitForCall(callSid, (s) => s.status === 'in-progress', 'the call is still live');
    assert.equal(answeredLegsOf(state, 'sato').length, 1, 'the agent leg was never dropped or rung again');
    assert.equal(state.legs.filter((leg) => String(leg.to).includes('sato') && leg.status === 'completed').length, 0);

    await widget.frame.waitForSelector('[data-testid="call-hang-up"]:not([disabled])');
    await call.hangUp.click();
    const ended = await crm.waitForEvent('ended');
    assert.equal(ended.conversation, callSid);
  } finally {
    await crm.close();
    await host.close();
  }
});
