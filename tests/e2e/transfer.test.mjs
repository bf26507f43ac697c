//! In-call controls in Chromium with the Twilio double: story (i) (agent A transfers the caller to agent B; one conversation holds both legs, the transfer and A's wrap-up notes), transfer to a number, hold.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { startVoiceStack, availableAgent as signedIn, settledConversation } from '../support/voice-stack.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

const YAMADA = '+81355550101'; // c001, owned by sato

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

test('(i) sato answers, transfers to suzuki from the call view, suzuki answers; one conversation with both legs, the transfer and sato\'s wrap-up notes', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const sato = await signedIn(stack, host, 'sato', '佐藤 花子');
  const suzuki = await signedIn(stack, host, 'suzuki', '鈴木 一郎');
  // A support agent, signed in through a bare socket: not in sato's team's roster.
  const { session } = await openSession(edge.url, embedToken({ agent: 'watanabe', team: 'support' }));
  const watanabe = await HubClient.connect(edge.url, 'demo', session);
  await watanabe.next('welcome');
  watanabe.send({ type: 'set_status', status: { kind: 'available' } });
  try {
    const callSid = await double.call(YAMADA);
    await sato.widget.waitForOffer(callSid);
    await sato.widget.acceptOffer(callSid);

    // Suzuki is listed as a free colleague, and so is watanabe of another team: presence fans
    // out by team, and the open form widens sato's roster to everyone. The transfer ends
    // sato's leg and rings suzuki.
    await sato.call.transferButton.click();
    await sato.call.transferForm.waitFor();
    await sato.widget.frame.locator('[data-testid="transfer-agent"][data-agent="watanabe"]').waitFor();
    await sato.widget.frame.locator('[data-testid="transfer-agent"][data-agent="suzuki"]').click();
    await sato.call.root.waitFor({ state: 'detached' });
    await sato.widget.waitForPresence('wrap_up');
    const satoEnded = await sato.crm.waitForEvent('ended');
    assert.equal(satoEnded.conversation, callSid);
    assert.ok(satoEnded.log?.transfers?.length === 1, 'sato\'s ended event carries the log with the transfer');

    await suzuki.widget.offer.waitFor();
    assert.match(await suzuki.widget.offer.textContent(), /山田 太郎/, 'the transfer target gets the screen pop');
    await suzuki.widget.frame.waitForSelector('[data-testid="offer-accept"]:not([disabled])', { timeout: 10_000 });
    await suzuki.widget.accept.click();
    assert.deepEqual(await suzuki.crm.waitForEvent('accepted'), { conversation: callSid });
    await suzuki.call.root.waitFor();
    await double.waitForCall(callSid, (s) => s.legs?.some((leg) => leg.status === 'in-progress' && String(leg.to).includes('suzuki')),
      'suzuki\'s leg answered at the double');

    await sato.call.finishWrapUp({ disposition: 'follow_up', notes: '鈴木さんへ転送（見積の件）' });
    await sato.widget.waitForPresence('available');

    await new Promise((resolve) => setTimeout(resolve, 500));
    await double.hangup(callSid);
    assert.equal((await suzuki.crm.waitForEvent('ended')).conversation, callSid);

    const conversation = await settledConversation(edge, callSid, (c) =>
      c.agent_legs.filter((leg) => leg.outcome === 'answered').length === 2 && c.ended_at && c.agent_legs[0].wrap_up);
    assert.equal(conversation.answered_by, 'sato');
    assert.deepEqual(conversation.agent_legs.map((leg) => [leg.agent, leg.outcome]), [['sato', 'answered'], ['suzuki', 'answered']]);
    assert.deepEqual(conversation.transfers.map((t) => [t.from_agent, t.to]), [['sato', { agent: 'suzuki' }]]);
    assert.equal(conversation.agent_legs[0].wrap_up.disposition, 'follow_up');
    assert.equal(conversation.agent_legs[0].wrap_up.notes, '鈴木さんへ転送（見積の件）');
    assert.ok(conversation.recordings.length >= 1, 'the recorded legs are linked');
  } finally {
    await watanabe.close();
    await sato.crm.close();
    await suzuki.crm.close();
    await host.close();
  }
});

test('a transfer to a Japanese number sends the caller out of the center; a bad number is refused in plain words', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const sato = await signedIn(stack, host, 'sato', '佐藤 花子');
  try {
    const callSid = await double.call(YAMADA);
    await sato.widget.waitForOffer(callSid);
    await sato.widget.acceptOffer(callSid);

    await sato.call.transferToNumber('12');
    await sato.widget.frame.waitForSelector('[data-testid="notice"]:has-text("転送先の電話番号が正しくありません")');
    await sato.call.root.waitFor();

    await sato.call.transferToNumber('03-1234-5678');
    await sato.widget.waitForPresence('wrap_up');
    const call = await double.waitForCall(callSid, (s) => s.events?.some((e) => e.kind === 'dial' && JSON.stringify(e).includes('+81312345678')),
      'the caller is dialled through to the number');
    const said = call.events.filter((e) => e.kind === 'say').map((e) => e.text);
    assert.ok(said.includes('担当の窓口におつなぎします。少々お待ちください。'), `the caller hears the transfer in Japanese first: ${JSON.stringify(said)}`);
    const conversation = await settledConversation(edge, callSid, (c) => c.transfers.length === 1);
    assert.deepEqual(conversation.transfers[0].to, { number: '+81312345678' });
    await double.hangup(callSid);
  } finally {
    await sato.crm.close();
    await host.close();
  }
});

test('hold: the caller hears the hold message, the agent takes them back and is rung through; the log counts the hold time', async () => {
  const host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  const sato = await signedIn(stack, host, 'sato', '佐藤 花子');
  try {
    const callSid = await double.call(YAMADA);
    await sato.widget.waitForOffer(callSid);
    await sato.widget.acceptOffer(callSid);
    await sato.widget.frame.waitForSelector('[data-testid="call-hold"]:not([disabled])');

    await sato.call.hold.click();
    await sato.widget.frame.waitForSelector('[data-testid="call"][data-held="true"]');
    assert.match(await sato.widget.frame.getByTestId('call-held').textContent(), /保留中/);
    await double.waitForCall(callSid, (s) => s.events?.some((e) => e.kind === 'say' && e.text === 'ただいま保留中です。そのままお待ちください。'),
      'the caller hears the hold message');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await sato.widget.frame.getByTestId('call').count(), 1, 'the call view stays while the caller holds');

    await sato.call.hold.click();
    await sato.widget.frame.waitForSelector('[data-testid="call"][data-held="false"]');
    await double.waitForCall(callSid, (s) => (s.legs ?? []).filter((leg) => String(leg.to).includes('sato') && leg.status === 'in-progress').length === 1
      && (s.legs ?? []).filter((leg) => String(leg.to).includes('sato')).length === 2, 'sato is rung through again and answers');
    await sato.widget.frame.waitForSelector('[data-testid="call-hang-up"]:not([disabled])');

    await sato.call.hangUp.click();
    const ended = await sato.crm.waitForEvent('ended');
    assert.equal(ended.conversation, callSid);
    const conversation = await settledConversation(edge, callSid, (c) => c.ended_at && c.hold_time > 0);
    assert.ok(conversation.hold_time >= 1000, `hold time recorded: ${conversation.hold_time}`);
    assert.equal(conversation.outcome, 'answered');
  } finally {
    await sato.crm.close();
    await host.close();
  }
});
