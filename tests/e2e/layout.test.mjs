//! Where the widget sits in Chromium: floating with a minimise button that a ringing call undoes, or filling the CRM's own side panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack, availableAgent } from '../support/voice-stack.mjs';
import { embedToken } from '../support/auth.mjs';
import { CrmPage } from './pages/crm-page.mjs';
import { CallPanel } from './pages/call-panel.mjs';

const YAMADA = '+81355550101'; // c001, owned by sato

let stack;
before(async () => { stack = await startVoiceStack(); });
after(async () => { await stack?.stop(); });

/** The widget iframe's box on the CRM page. */
async function frameBox(widget) {
  return (await widget.frame.frameElement()).boundingBox();
}

test('the floating widget folds down to its header from its button and unfolds by itself when a call rings', async () => {
  const host = await startHostPage(stack.edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const { crm, widget } = await availableAgent(stack, host, 'sato', '佐藤 花子');
  try {
    const open = await frameBox(widget);
    assert.equal(Math.round(open.height), 560);
    // The button sits just above the widget's top right corner (in a closed shadow root, so the
    // host page's scripts and CSS cannot reach it either: click it where the agent would).
    await crm.page.mouse.click(open.x + open.width - 16, open.y - 20);
    const folded = await frameBox(widget);
    assert.equal(Math.round(folded.height), 60, 'folded to its header');
    assert.equal(Math.round(folded.y + folded.height), Math.round(open.y + open.height), 'still anchored bottom-right');
    assert.match(await widget.frame.getByTestId('connection-status').textContent(), /佐藤 花子/, 'the agent still sees who is signed in');

    // The same button, now just above the folded widget, unfolds it; the host API folds it again.
    await crm.page.mouse.click(folded.x + folded.width - 16, folded.y - 20);
    assert.equal(Math.round((await frameBox(widget)).height), 560);
    await crm.page.evaluate(() => Tsunagu.setMinimized(true));
    assert.equal(Math.round((await frameBox(widget)).height), 60);

    const callSid = await stack.double.call(YAMADA);
    await crm.waitForEvent('ring', (d) => d.conversation === callSid);
    assert.equal(Math.round((await frameBox(widget)).height), 560, 'a ringing call unfolds the widget');
    await widget.acceptOffer(callSid);
    await stack.double.hangup(callSid);
    await crm.waitForEvent('ended', (d) => d.conversation === callSid);
  } finally {
    await crm.close();
    await host.close();
  }
});

test('in the CRM\'s own 300 px side panel the widget fills the panel and its call controls fit', async () => {
  const panel = '<aside id="softphone" style="position: fixed; left: 0; top: 0; width: 300px; height: 640px"></aside>';
  const host = await startHostPage(stack.edge.url, {
    host: 'localhost', extraHead: hostApiScript({ signIn: true }), extraBody: panel, scriptAttrs: 'data-container="#softphone"',
  });
  const { crm, widget, call } = await availableAgent(stack, host, 'suzuki', '鈴木 一郎');
  try {
    const box = await frameBox(widget);
    assert.deepEqual([box.x, box.y, box.width, box.height].map(Math.round), [0, 0, 300, 640], 'the widget fills the panel');
    const floatingButtons = await crm.page.evaluate(() => document.querySelectorAll('button').length);
    assert.equal(floatingButtons, 0, 'no minimise button in a panel');

    const callSid = await stack.double.call('+81355550199');
    await widget.waitForOffer(callSid);
    await widget.acceptOffer(callSid);
    await call.root.waitFor();
    // Every call control lies inside the panel, none wider than it, none clipped.
    const controls = await widget.frame.$$eval('[data-testid^="call-"]', (elements) => elements
      .filter((el) => el.offsetParent !== null)
      .map((el) => ({ id: el.dataset.testid, right: el.getBoundingClientRect().right, overflow: el.scrollWidth > el.clientWidth })));
    assert.ok(controls.length >= 4, `the call controls are shown: ${JSON.stringify(controls)}`);
    for (const control of controls) {
      assert.ok(control.right <= 300, `${control.id} lies inside the panel`);
      assert.equal(control.overflow, false, `${control.id} is not clipped`);
    }
    await call.hangUp.click();
    await crm.waitForEvent('ended', (d) => d.conversation === callSid);
  } finally {
    await crm.close();
    await host.close();
  }
});

/** A CRM page at `viewport` where `agent` is signed in, their line ready and they are available. */
async function agentAt(viewport, agent, name) {
  const host = await startHostPage(stack.edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const crm = await CrmPage.open(stack.browser, host.url, { viewport, embedTokens: () => embedToken({ agent, name, team: 'sales' }) });
  const widget = await crm.widget();
  await widget.waitForState('connected');
  await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
  await crm.page.evaluate(() => Tsunagu.setPresence('available'));
  await widget.waitForPresence('available');
  return { host, crm, widget, call: new CallPanel(widget.frame) };
}

/** Whether `text` in the frame's element `selector` is laid out on one line (all its boxes share a top). */
function onOneLine(frame, selector, text) {
  return frame.$eval(selector, (element, text) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return tops.size === 1;
    }
    throw new Error(`${text} not found in ${element.outerHTML}`);
  }, text);
}

/** Whether an input shows its whole placeholder (the placeholder as its value does not scroll). */
function placeholderFits(frame, testId) {
  return frame.$eval(`[data-testid="${testId}"]`, (input) => {
    const value = input.value;
    input.value = input.placeholder;
    const fits = input.scrollWidth <= input.clientWidth;
    input.value = value;
    return fits;
  });
}

for (const [width, height] of [[1280, 800], [360, 740]]) {
  test(`at ${width}×${height}: the widget stays inside the window, minimised it shows who and their status, Japanese and numbers wrap whole, placeholders fit, the keypad is 3×4`, async () => {
    const { host, crm, widget, call } = await agentAt({ width, height }, 'sato', '佐藤 花子');
    try {
      // Inside the window, and its presence buttons are on screen (inside the frame's box).
      const box = await frameBox(widget);
      assert.ok(box.y >= 0 && box.y + box.height <= height, `the widget (${JSON.stringify(box)}) lies inside the ${height} px window`);
      for (const id of ['presence-available', 'presence-away', 'presence-offline']) {
        const button = await widget.frame.getByTestId(id).boundingBox();
        // Playwright gives boxes in the CRM page's coordinates.
        assert.ok(button.y >= box.y && button.y + button.height <= box.y + box.height, `${id} is visible without scrolling (${JSON.stringify(button)} in ${JSON.stringify(box)})`);
      }
      assert.ok(await placeholderFits(widget.frame, 'dial-number'), 'the dial field shows its whole placeholder');

      // Minimised: a bar with the agent's name and status.
      await crm.page.evaluate(() => Tsunagu.setMinimized(true));
      const folded = await frameBox(widget);
      assert.ok(folded.y + folded.height <= height);
      for (const [id, text] of [['connection-status', /佐藤 花子/], ['presence-status', /受付可/]]) {
        const element = widget.frame.getByTestId(id);
        assert.match(await element.textContent(), text);
        const inner = await element.boundingBox();
        assert.ok(inner && inner.height > 0 && inner.y >= folded.y && inner.y + inner.height <= folded.y + folded.height
          && inner.x >= folded.x && inner.x + inner.width <= folded.x + folded.width,
          `${id} is visible in the minimised bar (${JSON.stringify(inner)} in ${JSON.stringify(folded)})`);
      }
      await crm.page.evaluate(() => Tsunagu.setMinimized(false));

      // A customer's company name and a mobile number each stay on one line.
      const callSid = await stack.double.call(YAMADA);
      await widget.waitForOffer(callSid);
      assert.ok(await onOneLine(widget.frame, '[data-testid="offer-customer"]', '山田商事株式会社'), 'the company name is not broken mid-word');
      await widget.acceptOffer(callSid);
      await call.root.waitFor();
      assert.ok(await onOneLine(widget.frame, '#call-title', '山田商事株式会社'), 'nor in the call title');
      // The keypad is a phone's: three keys a row, four rows, 1 2 3 on top and * 0 # last.
      const keys = await widget.frame.$$eval('.keypad__key', (keys) => keys.map((k) => {
        const r = k.getBoundingClientRect();
        return [k.textContent, Math.round(r.left), Math.round(r.top)];
      }));
      const rows = [...new Set(keys.map(([, , top]) => top))];
      const columns = [...new Set(keys.map(([, left]) => left))];
      assert.equal(rows.length, 4, `four rows: ${JSON.stringify(keys)}`);
      assert.equal(columns.length, 3, `three columns: ${JSON.stringify(keys)}`);
      assert.deepEqual(keys.filter(([, , top]) => top === Math.min(...rows)).map(([k]) => k), ['1', '2', '3']);
      assert.deepEqual(keys.filter(([, , top]) => top === Math.max(...rows)).map(([k]) => k), ['*', '0', '#']);
      await call.transferButton.click();
      await call.transferForm.waitFor();
      assert.ok(await placeholderFits(widget.frame, 'transfer-number'), 'the transfer field shows its whole placeholder');
      await call.hangUp.click();
      await crm.waitForEvent('ended', (d) => d.conversation === callSid);
      await widget.finishWrapUp();

      // A caller with no customer record: the mobile number is one unit.
      const mobile = await stack.double.call('+819012345678');
      await widget.waitForOffer(mobile);
      assert.ok(await onOneLine(widget.frame, '[data-testid="offer-caller"]', '090-1234-5678'), 'the number is not broken at a hyphen');
      await widget.frame.getByTestId('offer-reject').click();
      // The caller hangs up, and the tenant hears it, before the next test signs an agent in:
      // otherwise this call waits in the queue and rings whoever becomes available next.
      await stack.double.hangup(mobile);
      await stack.double.waitForCall(mobile, (s) => JSON.stringify(s.events ?? s).includes('"purpose":"status_callback:completed"'),
        'the hang-up delivered to the worker');
    } finally {
      await crm.close();
      await host.close();
    }
  });
}
