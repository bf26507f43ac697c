//! Two CRM tabs of one agent: one tab owns the phone, only it rings and shows the desktop notification, and the other takes over when it closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { embedToken } from '../support/auth.mjs';
import { startVoiceStack } from '../support/voice-stack.mjs';
import { CrmPage } from './pages/crm-page.mjs';

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

/** Counts the real desktop notifications the page creates (the constructor still runs). */
const countNotifications = () => {
  const Real = window.Notification;
  window.__notifications = [];
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options?.body });
    }
  };
};

/** One tab of the CRM in `context`, signed in as sato. */
async function openTab(context, url) {
  const page = await context.newPage();
  const crm = new CrmPage(page);
  await page.exposeFunction('nextEmbedToken', async () => embedToken({ agent: 'sato', name: '佐藤 花子', team: 'sales' }));
  await page.addInitScript(countNotifications);
  await page.goto(url);
  const widget = await crm.widget();
  await widget.waitForState('connected');
  return { crm, widget, page };
}

const voiceState = (tab) => tab.widget.voice.getAttribute('data-state');

test('one tab owns the phone: it alone rings and notifies; closing it hands the phone to the other tab', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const context = await browser.newContext({ locale: 'ja-JP' });
  await context.grantPermissions(['notifications'], { origin: new URL(host.url).origin });
  try {
    const first = await openTab(context, host.url);
    await first.widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
    const second = await openTab(context, host.url);
    await second.widget.frame.waitForSelector('[data-testid="voice-state"][data-state="other-tab"]');
    assert.match(await second.widget.voice.textContent(), /別のタブで使用中/);

    await first.page.evaluate(() => Tsunagu.setPresence('available'));
    await first.widget.waitForPresence('available');
    await second.widget.waitForPresence('available');

    const callSid = await double.call(YAMADA);
    await first.widget.offer.waitFor();
    await second.widget.offer.waitFor();
    await first.crm.waitForEvent('notification', (d) => d.tag === callSid);
    const notified = await Promise.all([first, second].map((tab) => tab.page.evaluate(() => window.__notifications)));
    assert.deepEqual(notified.map((list) => list.length), [1, 0], 'exactly one desktop notification, from the tab that owns the phone');
    assert.match(notified[0][0].title, /着信: 山田 太郎/);
    const ringing = await Promise.all([first, second].map((tab) =>
      tab.widget.frame.locator('[data-testid="offer"]').getAttribute('data-ringtone')));
    assert.deepEqual(ringing, ['true', 'false'], 'only the owning tab plays the ringtone');
    await double.hangup(callSid);
    await first.widget.offer.waitFor({ state: 'detached' });

    // The owner closes: the browser hands the lock to the other tab, which registers the line.
    await first.page.close();
    await second.widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]', { timeout: 15_000 });
    assert.equal(await voiceState(second), 'ready');
  } finally {
    await context.close();
    await host.close();
  }
});
