//! The widget's polish in Chromium with the Twilio double: what a signed-out widget tells the agent, the host's hold/resumed/wrap_up events and `ended.wrap_up_follows`, the wrap-up screen (its call, timer, saved confirmation) and outcomes shown by name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack, availableAgent as signedIn } from '../support/voice-stack.mjs';
import { CrmPage } from './pages/crm-page.mjs';

const YAMADA = '+81355550101'; // c001 山田 太郎, owned by sato

let stack;
let edge;
let double;
before(async () => {
  stack = await startVoiceStack();
  ({ edge, double } = stack);
});
after(async () => {
  await stack?.stop();
});

test('a signed-out widget says what to do: sign in to the CRM (ja and en), or open it in the CRM', async () => {
  const crm = await CrmPage.open(stack.browser, new URL('/demo', edge.url).href);
  try {
    const widget = await crm.widget();
    await widget.waitForState('signed-out');
    const hint = widget.frame.getByTestId('sign-in-hint');
    assert.equal(await hint.textContent(), 'CRM にログインすると、この電話が使えるようになります。ログイン済みなら再読み込みしてください。');
    await widget.langToggle.click();
    assert.equal(await hint.textContent(), 'Sign in to your CRM to use this phone. If you already have, reload the page.');
    await crm.page.selectOption('#agent', 'suzuki');
    await crm.page.click('#sign-in');
    await widget.waitForState('connected');
    assert.equal(await hint.count(), 0, 'no hint once signed in');
  } finally {
    await crm.close();
  }
  // The widget opened on its own, outside any CRM page.
  const context = await stack.browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  try {
    await page.goto(new URL('/widget?tenant=demo', edge.url).href);
    const hint = page.getByTestId('sign-in-hint');
    await hint.waitFor();
    assert.equal(await hint.textContent(), 'この電話は CRM の画面の中で使います。CRM を開いてログインしてください。');
  } finally {
    await context.close();
  }
});

test('hold and resume reach the host; ended says wrap-up follows; the wrap-up names its call, times itself, confirms the save and the host hears the outcome; the next ring shows that outcome by name', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const sato = await signedIn(stack, host, 'sato', '佐藤 花子');
  try {
    const callSid = await double.call(YAMADA);
    await sato.widget.waitForOffer(callSid);
    await sato.widget.acceptOffer(callSid);
    await sato.widget.frame.waitForSelector('[data-testid="call-hold"]:not([disabled])');

    await sato.call.hold.click();
    assert.deepEqual(await sato.crm.waitForEvent('hold'), { conversation: callSid });
    await sato.widget.frame.waitForSelector('[data-testid="call"][data-held="true"]');
    await sato.call.hold.click();
    assert.deepEqual(await sato.crm.waitForEvent('resumed'), { conversation: callSid });
    await sato.widget.frame.waitForSelector('[data-testid="call-hang-up"]:not([disabled])');

    await sato.call.hangUp.click();
    const ended = await sato.crm.waitForEvent('ended');
    assert.equal(ended.conversation, callSid);
    assert.equal(ended.wrap_up_follows, true, 'ended says a wrap-up follows');

    await sato.call.wrapUp.waitFor();
    const which = await sato.widget.frame.getByTestId('wrap-up-call').textContent();
    assert.match(which, /着信/, `the wrap-up says the call's direction: ${which}`);
    assert.match(which, /山田 太郎/, `the wrap-up names the customer: ${which}`);
    const timer = sato.widget.frame.getByTestId('wrap-up-timer');
    const first = await timer.textContent();
    assert.match(first, /^\d+:\d\d$/);
    await sato.widget.frame.waitForFunction((before) =>
      document.querySelector('[data-testid="wrap-up-timer"]')?.textContent !== before, first, { timeout: 5_000 });

    await sato.call.finishWrapUp({ disposition: 'resolved', notes: '見積を送付' });
    assert.deepEqual(await sato.crm.waitForEvent('wrap_up'), { conversation: callSid, outcome: 'resolved', notes: '見積を送付' });
    const saved = sato.widget.frame.getByTestId('wrap-up-saved');
    await saved.waitFor();
    assert.match(await saved.textContent(), /後処理を保存しました/);
    assert.match(await saved.textContent(), /山田 太郎/);
    await sato.widget.waitForPresence('available');

    // The next call from the same customer: the screen pop's recent contacts show the outcome
    // by its name, never the stored code.
    const second = await double.call(YAMADA);
    await sato.widget.waitForOffer(second);
    const recent = sato.widget.frame.getByTestId('offer-recent');
    await sato.widget.frame.waitForFunction(() =>
      document.querySelector('[data-testid="offer-recent"]')?.textContent.includes('解決'), null, { timeout: 10_000 });
    assert.doesNotMatch(await recent.textContent(), /resolved/);
    await double.hangup(second);
  } finally {
    await sato.crm.close();
    await host.close();
  }
});
