//! Browser tests in Chromium: a CRM page mounts the widget with one script tag; it is isolated from the host page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { CrmPage } from './pages/crm-page.mjs';

let edge;
let browser;
before(async () => {
  [edge, browser] = await Promise.all([startWranglerDev(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

test('the demo CRM page mounts the widget through its script tag, asks for sign-in, then signs an agent in (ja and en)', async () => {
  const crm = await CrmPage.open(browser, new URL('/demo', edge.url).href);
  try {
    const tag = crm.page.locator('script[src$="/embed.js"][data-tenant="demo"][async]');
    assert.equal(await tag.count(), 1, 'the page embeds the widget with exactly one script tag');
    assert.equal(await crm.page.locator('#customers tbody tr').count(), 8, 'the seeded customers are listed');
    assert.equal(await crm.page.locator('#agent option').count(), 6, 'the six demo agents can be picked');

    const widget = await crm.widget();
    await widget.waitForState('signed-out');
    assert.equal(await widget.status.textContent(), 'サインインが必要です');

    // The demo CRM's backend signs the embed token (POST /demo/embed-token) for the picked agent.
    await crm.page.selectOption('#agent', 'suzuki');
    await crm.page.click('#sign-in');
    await widget.waitForState('connected');
    assert.deepEqual(await crm.waitForEvent('signed-in'), { agent: 'suzuki', name: '鈴木 一郎' });
    assert.equal(await widget.status.textContent(), 'サインイン中: 鈴木 一郎');
    assert.equal(await widget.available.textContent(), '受付可');
    assert.equal(await widget.away.textContent(), '離席');
    assert.equal(await widget.tenantName.textContent(), 'デモ株式会社');

    // Keyboard: Tab to the big "available" button and press Enter.
    await widget.available.focus();
    await crm.page.keyboard.press('Enter');
    await widget.waitForPresence('available');
    assert.equal(await widget.presence.textContent(), '受付可');
    assert.deepEqual(await crm.waitForEvent('presence', (d) => d.status === 'available'), { status: 'available' });
    await widget.frame.waitForSelector('[data-testid="roster"] li[data-agent="suzuki"][data-status="available"]');

    await widget.langToggle.click();
    assert.equal(await widget.status.textContent(), 'Signed in: 鈴木 一郎');
    assert.equal(await widget.presence.textContent(), 'Available');
    assert.equal(await widget.offline.textContent(), 'Offline');
    assert.equal(await widget.tenantName.textContent(), 'Demo Corp.');
    assert.equal(await widget.frame.evaluate(() => document.documentElement.lang), 'en');

    await crm.page.click('[data-presence="away:break"]');
    await widget.waitForPresence('away');
    assert.equal(await widget.presence.textContent(), 'Away (Break)');
    await crm.page.screenshot({ path: 'tests/.artifacts/demo-crm.png' }).catch(() => {});
    await crm.page.click('[data-presence="offline"]');
    await widget.waitForPresence('offline');
  } finally {
    await crm.close();
  }
});

test('a CRM on another origin embeds it; its CSS cannot hide the widget and its script cannot read it', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost' });
  const crm = await CrmPage.open(browser, host.url, { locale: 'en-US' });
  try {
    const widget = await crm.widget();
    await widget.waitForState('signed-out');
    assert.equal(await widget.status.textContent(), 'Sign-in required');

    const look = await widget.status.evaluate((el) => getComputedStyle(el).fontSize);
    assert.equal(look, '24px', 'host CSS does not reach into the widget');
    const frameBox = await crm.page.evaluate(() => {
      const hostEl = document.querySelector('tsunagu-widget');
      return { mounted: !!hostEl, iframesVisibleToHost: document.querySelectorAll('iframe').length };
    });
    assert.deepEqual(frameBox, { mounted: true, iframesVisibleToHost: 0 }, 'the iframe sits in a closed shadow root');
    const box = await crm.page.locator('tsunagu-widget').evaluate(() => window.innerWidth);
    assert.ok(box > 0);

    // The host's scripts cannot enumerate the widget's window (it is not in window.frames) and,
    // even handed the iframe element, the browser refuses them its document (cross-origin).
    assert.equal(await crm.page.evaluate(() => window.frames.length), 0);
    const iframe = await widget.frame.frameElement();
    const leaked = await crm.page.evaluate((element) => {
      try { return element.contentWindow.document.body.innerHTML; } catch (err) { return err.name; }
    }, iframe);
    assert.equal(leaked, 'SecurityError');
  } finally {
    await crm.close();
    await host.close();
  }
});

test('an origin the tenant did not allow cannot frame the widget', async () => {
  // 127.0.0.2 is loopback too, but not in the demo tenant's frame-ancestors list.
  const host = await startHostPage(edge.url, { host: '127.0.0.2' });
  const crm = await CrmPage.open(browser, host.url);
  try {
    const blocked = await crm.consoleLine(/frame-ancestors/);
    assert.match(blocked, /Content Security Policy/);
    const frame = crm.page.frames().find((f) => f.url().includes('/widget?tenant='));
    const rendered = frame ? await frame.locator('[data-testid="connection-status"]').count() : 0;
    assert.equal(rendered, 0, 'the widget did not render inside a disallowed origin');
  } finally {
    await crm.close();
    await host.close();
  }
});
