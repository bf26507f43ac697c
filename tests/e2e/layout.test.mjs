//! Where the widget sits in Chromium: floating with a minimise button that a ringing call undoes, or filling the CRM's own side panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack, availableAgent } from '../support/voice-stack.mjs';

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
