//! 通話履歴 / Conversations in Chromium: a call goes through; a supervisor opens the view (its own module, fetched only then), sees the call's row (time in the tenant's zone, the number as written in Japan, the customer, the outcome and who answered) and, opened, its timeline and routing audit in Japanese, line breaks kept, in a 360 px widget; a plain agent has no entry and never downloads the view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/paths.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { settledConversation, startVoiceStack } from '../support/voice-stack.mjs';
import { embedToken } from '../support/auth.mjs';
import { sid } from '../support/twilio.mjs';
import { demoCalls, signInAgent, signOutAgents } from '../support/demo-calls.mjs';
import { CrmPage } from './pages/crm-page.mjs';
import { ConversationsPanel } from './pages/conversations-panel.mjs';

const ASSETS = path.join(ROOT, 'build', 'site', 'assets');
/** Written by `cargo xtask build`: each split point and the hashed files its first call downloads. */
const MODULES = JSON.parse(readFileSync(path.join(ROOT, 'build', 'widget-modules.json'), 'utf8'));
/** Only the conversations view uses this test id: its code belongs to its module. */
const MARKER = 'routing-decision';
const YAMADA = '+81355550101'; // c001 山田 太郎, owned by sato (sales)

let stack;
let host;
before(async () => {
  stack = await startVoiceStack();
  host = await startHostPage(stack.edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
});
after(async () => {
  await host?.close();
  await stack?.stop();
});

/** The files only the conversations view's split point fetches (not shared with another module). */
function moduleFiles() {
  const files = MODULES.tsunagu_conversations;
  assert.ok(files?.length, `tsunagu_conversations is a module of the build: ${JSON.stringify(MODULES)}`);
  const others = new Set(Object.entries(MODULES).filter(([point]) => point !== 'tsunagu_conversations').flatMap(([, f]) => f));
  return files.filter((file) => !others.has(file));
}

/** A call from 山田 that sato (signed in over a socket) answers and wraps up; resolves with the stitched conversation. */
async function answeredCall() {
  const sato = await signInAgent(stack.edge.url, 'sato', 'sales');
  const calls = demoCalls(stack.edge.url);
  const callSid = sid();
  try {
    const ring = await calls.incoming(callSid, YAMADA);
    assert.equal(ring.status, 200, ring.xml);
    const offer = await sato.waitFor((m) => m.type === 'offer' && m.conversation === callSid, 'the offer');
    sato.send({ type: 'ack_offer', offer: offer.offer });
    const leg = sid();
    for (const [status, sequence] of [['ringing', 1], ['in-progress', 2]]) {
      assert.equal((await calls.agentLeg(callSid, 'sato', leg, status, sequence, YAMADA)).status, 200, `agent leg ${status}`);
    }
    await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'sato on the call');
    const mark = sato.mark();
    assert.equal((await calls.agentLeg(callSid, 'sato', leg, 'completed', 3, YAMADA)).status, 200);
    assert.equal((await calls.callerLeg(callSid, 'completed', 3, YAMADA, { CallDuration: '20' })).status, 200);
    await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'wrap_up', 'wrap-up', mark);
    sato.send({ type: 'end_wrap_up', disposition: 'resolved', notes: '見積書を再送' });
    return await settledConversation(stack.edge, callSid, (c) => c.outcome === 'answered' && c.routing?.length > 0
      && c.agent_legs.some((l) => l.wrap_up?.notes));
  } finally {
    await signOutAgents([sato]);
  }
}

test('a supervisor opens 通話履歴 (its module fetched only then): the call\'s row and, opened, its timeline and routing audit in Japanese', async () => {
  const conversation = await answeredCall();
  const callSid = conversation.interaction;
  // The browser runs in New York: times must still read as the tenant's (Asia/Tokyo).
  const crm = await CrmPage.open(stack.browser, host.url, {
    embedTokens: () => embedToken({ agent: 'takahashi', name: '高橋 美咲', team: 'sales', roles: ['agent', 'supervisor'] }),
    viewport: { width: 360, height: 740 },
    timezoneId: 'America/New_York',
  });
  const fetched = [];
  crm.page.context().on('request', (request) => fetched.push(new URL(request.url()).pathname));
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    const view = new ConversationsPanel(widget.frame);
    await view.toggle.waitFor();
    assert.equal((await view.toggle.textContent()).trim(), '通話履歴');
    assert.equal(await widget.frame.getByTestId('admin-toggle').count(), 0, 'a supervisor is not an admin');
    const only = moduleFiles();

    // Signed in and ready: nothing of the view downloaded yet, and the initial files hold none of it.
    const loaded = await widget.frame.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    const assets = loaded.filter((p) => p.startsWith('/assets/')).map((p) => p.slice('/assets/'.length));
    for (const file of only) {
      assert.ok(![...assets, ...fetched].some((p) => p.endsWith(file)), `${file} is not fetched before 通話履歴 is opened`);
    }
    for (const name of assets) {
      assert.equal(readFileSync(path.join(ASSETS, name)).includes(MARKER), false, `${name} (initial) does not contain the view`);
    }
    assert.ok(only.some((file) => readFileSync(path.join(ASSETS, file)).includes(MARKER)), 'the module holds the view');

    await view.open();
    for (const file of only) {
      assert.ok(fetched.some((p) => p.endsWith(file)), `${file} is fetched when 通話履歴 opens`);
    }
    assert.equal(await widget.frame.getByTestId('presence-available').count(), 0, 'the view takes the idle phone\'s place');

    const row = await view.row(callSid);
    const tokyo = new Date(conversation.started_at).toLocaleString('ja-JP', {
      timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit',
    });
    assert.equal(row.time, tokyo, 'the time in the tenant\'s zone, not the browser\'s');
    assert.equal(row.number, '03-5555-0101', 'the number as written in Japan');
    assert.equal(row.customer, '山田 太郎');
    assert.equal(row.outcome, '応答');
    assert.equal(row.agent, '佐藤 花子', 'who answered, by name');
    assert.match(row.text, /電話/, 'the channel in words');
    assert.doesNotMatch(row.text, /answered|sato|\+81/, 'no raw codes, ids or E.164');

    const detail = await view.openRow(callSid);
    assert.ok(detail.timeline.some((line) => /電話で着信/.test(line)), `arrival: ${detail.timeline}`);
    assert.ok(detail.timeline.some((line) => /佐藤 花子 を呼び出し（応答）/.test(line)), `the offer: ${detail.timeline}`);
    assert.ok(detail.timeline.some((line) => /佐藤 花子 が応答/.test(line)), `answered: ${detail.timeline}`);
    assert.ok(detail.timeline.some((line) => /終了（応答）/.test(line)), `ended: ${detail.timeline}`);
    assert.ok(detail.timeline.some((line) => /後処理完了 · 解決 · メモ: 見積書を再送/.test(line)), `the wrap-up: ${detail.timeline}`);
    assert.equal(detail.decisions.length, conversation.routing.length, 'every routing decision');
    const [first] = detail.decisions;
    assert.match(first, /を選択/);
    assert.match(first, /呼び出し/);
    assert.ok(first.includes(conversation.routing[0].ja.split('\n')[1]), `the API's Japanese text: ${first}`);
    assert.ok(first.split('\n').length >= conversation.routing[0].ja.split('\n').length, `line breaks kept: ${JSON.stringify(first)}`);

    // Readable in a 360 px widget: nothing of the view runs off to the side.
    const overflow = await view.root.evaluate((root) => [root, ...root.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(overflow, [], 'no element wider than the widget');

    // The widget's language switches the audit to English.
    await widget.frame.getByTestId('lang-toggle').click();
    await widget.frame.getByText('Routing audit').waitFor();
    const english = await view.detail(callSid);
    assert.match(english.decisions[0], /chose sato/);
    assert.ok(english.timeline.some((line) => /Rang 佐藤 花子 \(answered\)/.test(line)), `${english.timeline}`);

    // Closed and opened again: the module is not fetched a second time.
    await view.toggle.click();
    await view.root.waitFor({ state: 'detached' });
    await view.open();
    await view.row(callSid);
    for (const file of only) {
      assert.equal(fetched.filter((p) => p.endsWith(file)).length, 1, `${file} fetched exactly once`);
    }
  } finally {
    await crm.signOff();
  }
});

test('a plain agent has no 通話履歴 entry and never downloads the view', async () => {
  const only = moduleFiles();
  const crm = await CrmPage.open(stack.browser, host.url, { embedTokens: () => embedToken({ agent: 'suzuki', name: '鈴木 一郎', team: 'sales' }) });
  const fetched = [];
  crm.page.context().on('request', (request) => fetched.push(new URL(request.url()).pathname));
  try {
    const widget = await crm.widget();
    await widget.waitForState('connected');
    await widget.frame.getByTestId('presence-available').waitFor();
    assert.equal(await widget.frame.getByTestId('conversations-toggle').count(), 0);
    const loaded = await widget.frame.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    for (const file of only) {
      assert.ok(![...loaded, ...fetched].some((p) => p.endsWith(file)), `${file} is never fetched for an agent`);
    }
  } finally {
    await crm.signOff();
  }
});

test('もっと見る pages with the API\'s cursor: 20 rows, then the older ones, none twice', async () => {
  // Nobody is available: each call queues and its caller hangs up (an abandoned conversation).
  const calls = demoCalls(stack.edge.url);
  const made = [];
  for (let i = 0; i < 21; i += 1) {
    const callSid = sid();
    assert.equal((await calls.incoming(callSid, YAMADA)).status, 200);
    assert.equal((await calls.callerLeg(callSid, 'completed', 1, YAMADA)).status, 200);
    made.push(callSid);
  }
  await settledConversation(stack.edge, made.at(-1), (c) => c.outcome !== 'in_progress');
  await settledConversation(stack.edge, made[0], (c) => c.outcome !== 'in_progress');

  const crm = await CrmPage.open(stack.browser, host.url, {
    embedTokens: () => embedToken({ agent: 'takahashi', name: '高橋 美咲', team: 'sales', roles: ['supervisor'] }),
  });
  try {
    const widget = await crm.widget();
    // A supervisor who takes no calls gets the view at once.
    const view = new ConversationsPanel(widget.frame);
    await view.root.waitFor();
    const rows = widget.frame.getByTestId('conversation-row');
    await view.row(made.at(-1));
    assert.equal(await rows.count(), 20, 'a page of 20');
    assert.match((await view.row(made.at(-1))).outcome, /^放棄（\d+ 秒後）$/);
    const more = widget.frame.getByTestId('conversations-more');
    assert.equal((await more.textContent()).trim(), 'もっと見る');
    await more.click();
    await view.row(made[0]);
    const keys = await rows.evaluateAll((items) => items.map((item) => item.dataset.key));
    assert.ok(keys.length > 20, `the next page appended: ${keys.length}`);
    assert.equal(new Set(keys).size, keys.length, 'no conversation twice');
    const started = await Promise.all(made.map((callSid) => settledConversation(stack.edge, callSid, () => true)));
    const order = keys.filter((key) => made.includes(key));
    assert.deepEqual(order, [...made].sort((a, b) => {
      const at = (callSid) => started[made.indexOf(callSid)].started_at;
      return at(b) - at(a) || (b < a ? -1 : 1);
    }), 'newest first across pages');
  } finally {
    await crm.close();
  }
});
