//! Click-to-call in Chromium with the Twilio double: `Tsunagu.dial()` from the host page (on the agent's click), a CRM backend's click-to-call on the agent's behalf (the server API) and the widget's own dial form place outbound calls that land in the log; the dial policy's refusals reach the agent and the host; a CRM backend's screen pop shows its card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack, availableAgent as signedIn, settledConversation } from '../support/voice-stack.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

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

test('Tsunagu.dial() from the host page, once the agent clicks Call, rings the customer from the tenant line; the agent talks, hangs up, and the log has an outbound conversation', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const sato = await signedIn(stack, host, 'sato', '佐藤 花子');
  try {
    await double.phone(YAMADA, { answer_after_ms: 300 });
    await sato.crm.page.evaluate(() => Tsunagu.dial('03-5555-0101', { customerId: 'c001' }));
    await sato.widget.confirmDial();
    const dialing = await sato.crm.waitForEvent('dialing');
    assert.equal(dialing.to, '03-5555-0101');
    assert.deepEqual(dialing.customer, { id: 'c001', name: '山田 太郎（山田商事株式会社）' });
    assert.deepEqual(await sato.crm.waitForEvent('accepted'), { conversation: dialing.conversation });
    await sato.call.root.waitFor();
    assert.match(await sato.call.root.textContent(), /山田 太郎/, 'the call view names the customer');
    await sato.widget.waitForPresence('on_call');

    const call = await double.waitForCall(dialing.conversation,
      (s) => s.events?.some((e) => e.kind === 'dial' && JSON.stringify(e.targets).includes(YAMADA))
        && s.legs?.some((leg) => leg.to === YAMADA && leg.status === 'in-progress'),
      'the customer\'s phone answered');
    assert.equal(call.from ?? call.legs?.[0]?.from, '+815012345678', 'dialled from the tenant\'s main line');

    await new Promise((resolve) => setTimeout(resolve, 500));
    await sato.call.hangUp.click();
    const ended = await sato.crm.waitForEvent('ended');
    assert.equal(ended.conversation, dialing.conversation);
    assert.equal(ended.log?.direction, 'outbound', 'the ended event carries the outbound call\'s log');
    await sato.widget.waitForPresence('wrap_up');

    const conversation = await settledConversation(edge, dialing.conversation, (c) => c.outcome === 'answered' && c.ended_at);
    assert.equal(conversation.direction, 'outbound');
    assert.equal(conversation.answered_by, 'sato');
    assert.equal(conversation.customer, 'c001');
  } finally {
    await sato.crm.close();
    await host.close();
  }
});

test('the widget\'s dial form calls a typed Japanese number; a bad number and a busy agent get plain-words errors', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const suzuki = await signedIn(stack, host, 'suzuki', '鈴木 一郎');
  try {
    await suzuki.crm.page.evaluate(() => Tsunagu.dial('12'));
    await suzuki.widget.confirmDial();
    assert.equal((await suzuki.crm.waitForEvent('error', (e) => e.code === 'invalid_number')).code, 'invalid_number');
    await suzuki.widget.frame.waitForSelector('[data-testid="notice"]:has-text("電話番号が正しくありません")');

    await double.phone('+81312345678', { answer_after_ms: 300 });
    await suzuki.widget.frame.getByTestId('dial-number').fill('03-1234-5678');
    await suzuki.widget.frame.getByTestId('dial-go').click();
    const dialing = await suzuki.crm.waitForEvent('dialing');
    assert.equal(dialing.to, '03-1234-5678');
    assert.equal(dialing.customer, null);
    await suzuki.call.root.waitFor();

    await suzuki.crm.page.evaluate(() => Tsunagu.dial('03-1234-5678'));
    await suzuki.widget.confirmDial();
    assert.equal((await suzuki.crm.waitForEvent('error', (e) => e.code === 'agent_busy')).code, 'agent_busy');

    await double.hangup(dialing.conversation);
    assert.equal((await suzuki.crm.waitForEvent('ended')).conversation, dialing.conversation);
  } finally {
    await suzuki.crm.close();
    await host.close();
  }
});

test('Tsunagu.dial() never calls before the agent clicks: Cancel dials nothing, and a premium-rate number is refused in the widget and to the host', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const tanaka = await signedIn(stack, host, 'tanaka', '田中 健太');
  try {
    // Every call the worker asks Twilio (the double) to create, so far.
    const restCalls = async () => (await double.restLog()).requests.length;
    const callsBefore = await restCalls();
    // A script on the page dials: the widget only shows the number.
    await tanaka.crm.page.evaluate(() => Tsunagu.dial('03-1234-5678'));
    await tanaka.widget.dialConfirm.waitFor();
    assert.equal(await tanaka.widget.dialConfirmNumber.textContent(), '03-1234-5678');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await restCalls(), callsBefore, 'no call before the agent clicks');
    assert.equal((await tanaka.crm.events()).filter((e) => e.type === 'dialing').length, 0);
    await tanaka.widget.dialConfirmCancel.click();
    assert.deepEqual(await tanaka.crm.waitForEvent('dial_cancelled'), { to: '03-1234-5678' });
    await tanaka.widget.dialConfirm.waitFor({ state: 'hidden' });
    assert.equal(await restCalls(), callsBefore, 'Cancel dials nothing');

    // A premium-rate number: the agent's click gets the policy's refusal, in Japanese.
    await tanaka.crm.page.evaluate(() => Tsunagu.dial('0990-123-456'));
    await tanaka.widget.confirmDial();
    const refused = await tanaka.crm.waitForEvent('error', (e) => e.code === 'dial_refused');
    assert.equal(refused.reason, 'premium_rate');
    assert.doesNotMatch(refused.message, /123/, 'the message never echoes the number');
    await tanaka.widget.frame.waitForSelector('[data-testid="notice"][data-code="dial_refused"]:has-text("有料番号 0990")');
    await tanaka.widget.langToggle.click();
    await tanaka.widget.frame.waitForSelector('[data-testid="notice"]:has-text("premium-rate numbers")');
    await tanaka.widget.langToggle.click();

    // International numbers too, from the widget's own dial field.
    await tanaka.widget.frame.getByTestId('dial-number').fill('+44 20 7946 0107');
    await tanaka.widget.frame.getByTestId('dial-go').click();
    assert.equal((await tanaka.crm.waitForEvent('error', (e) => e.reason === 'international')).code, 'dial_refused');
    await tanaka.widget.frame.waitForSelector('[data-testid="notice"]:has-text("国際電話")');
    assert.equal(await restCalls(), callsBefore, 'nothing the policy refuses reaches Twilio');
  } finally {
    await tanaka.crm.close();
    await host.close();
  }
});

/** POSTs `body` to the server API as a CRM backend with a `calls:write` key. */
async function crmBackend(edge) {
  const { session: admin } = await openSession(edge.url, embedToken({ agent: 'e2e_admin', name: 'Admin', roles: ['admin'] }));
  const created = await fetch(new URL('/api/admin/api-keys', edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'CRM backend', scopes: ['calls:write'] }),
  });
  const { key } = await created.json();
  return async (path, body) => {
    const res = await fetch(new URL(path, edge.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
}

test('a CRM backend\'s click-to-call shows the number and the customer with Call / Cancel, calls on the click; its screen pop shows the card with a link', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const takahashi = await signedIn(stack, host, 'takahashi', '高橋 美咲');
  const backend = await crmBackend(edge);
  try {
    const restCalls = async () => (await double.restLog()).requests.length;
    const callsBefore = await restCalls();
    const asked = await backend('/api/agents/takahashi/calls', { to: '03-5555-0101', customer_id: 'c001' });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    assert.equal(asked.body.status, 'offered_to_agent');
    await takahashi.widget.dialConfirm.waitFor();
    assert.equal(await takahashi.widget.dialConfirmNumber.textContent(), '03-5555-0101');
    assert.equal(await takahashi.widget.dialConfirmCustomer.textContent(), '山田 太郎（山田商事株式会社）');
    assert.equal(await takahashi.widget.dialConfirmCall.textContent(), '発信');
    assert.equal(await restCalls(), callsBefore, 'nothing is dialled before the agent clicks');

    await double.phone(YAMADA, { answer_after_ms: 300 });
    await takahashi.widget.confirmDial();
    const dialing = await takahashi.crm.waitForEvent('dialing');
    assert.equal(dialing.to, '03-5555-0101');
    assert.deepEqual(dialing.customer, { id: 'c001', name: '山田 太郎（山田商事株式会社）' });
    await takahashi.call.root.waitFor();

    // A screen pop during the call: the card shows beside it.
    const url = 'https://crm.example.jp/customers/c001';
    const popped = await backend('/api/agents/takahashi/screen-pop', { customer_id: 'c001', url });
    assert.equal(popped.status, 202, JSON.stringify(popped.body));
    await takahashi.widget.pushedRecord.waitFor();
    assert.equal(await takahashi.widget.pushedRecordTitle.textContent(), '山田 太郎');
    assert.equal(await takahashi.widget.pushedRecordSubtitle.textContent(), '山田商事株式会社');
    assert.equal(await takahashi.widget.pushedRecordNumber.textContent(), '03-5555-0101');
    assert.equal(await takahashi.widget.pushedRecordLink.getAttribute('href'), url);
    assert.equal(await takahashi.widget.pushedRecordLink.textContent(), 'CRMで開く');
    await takahashi.widget.pushedRecordClose.click();
    await takahashi.widget.pushedRecord.waitFor({ state: 'hidden' });

    await double.hangup(dialing.conversation);
    assert.equal((await takahashi.crm.waitForEvent('ended')).conversation, dialing.conversation);
  } finally {
    await takahashi.crm.close();
    await host.close();
  }
});
