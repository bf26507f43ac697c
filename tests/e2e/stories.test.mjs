//! The seed team's call-center stories (b)–(h) in Chromium: agents are real widgets in a CRM page, Twilio is the test double, each story checks the widget, what the caller heard, and the log and KPIs.
//!
//! One `wrangler dev`, one double and one browser for the file. Every test signs its own agents in
//! (one browser context each) and signs them off afterwards, and hangs up every call it left, so
//! each starts with nobody available. The tenant runs with shorter ladder steps and disconnect
//! grace than the seed's (ROUTING). The double runs in real time: it reports durations in
//! simulated seconds, so any other time scale would skew the stitched log's start times and
//! waits. A step's timeout is Twilio's `<Dial timeout>`; the center's own ring timer is the
//! presence policy's 15 s, so the double's no-answer always arrives first.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { centerSettingsSql } from '../support/center-settings.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { startHostPage } from '../support/host-page.mjs';
import { hostApiScript } from '../support/host-api.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { dialled, freePort, heard, runScenario, startDouble } from '../support/double.mjs';
import { postWebhook, inboundCallParams, sid } from '../support/twilio.mjs';
import { CrmPage } from './pages/crm-page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ACCOUNT = 'AC00000000000000000000000000000d30';
const MAIN_LINE = '+815012345678';
const FALLBACK = '+819012340000';
const TIME_SCALE = 1;

// The seed's customers (worker/seed/demo.sql) and their owners.
const YAMADA = '+81355550101'; // c001 山田 太郎, owner sato (sales)
const NAKAMURA = '+81665550102'; // c002 中村 由美, owner sato
const KOBAYASHI = '+819055550103'; // c003 小林 誠, owner suzuki (sales)
const YOSHIDA = '+818055550105'; // c005 吉田 翔, owner tanaka (support)
const YAMAMOTO = '+81455550106'; // c006 山本 あかり, no owner
const CARTER = '+442079460107'; // c007 Emily Carter, owner ito (support)
const MATSUMOTO = '+81120555108'; // c008 松本 直樹, no owner

const AGENTS = {
  sato: { name: '佐藤 花子', team: 'sales' },
  suzuki: { name: '鈴木 一郎', team: 'sales' },
  tanaka: { name: '田中 健太', team: 'support' },
  ito: { name: '伊藤 さくら', team: 'support' },
  watanabe: { name: '渡辺 大輔', team: 'support' },
};

/** The seed's ladder (owner → owner's team → anyone), shorter; a 4 s disconnect grace. */
const ROUTING = {
  max_wait: 180_000,
  fallback_numbers: [FALLBACK],
  ladder: {
    steps: [
      { target: 'owner', timeout: 8_000 },
      { target: 'owner_team', timeout: 6_000 },
      { target: 'anyone', timeout: 6_000 },
    ],
  },
  presence: { disconnect_grace: 4_000 },
};
const OWNER_RING_MS = ROUTING.ladder.steps[0].timeout;
const ACK_TIMEOUT_MS = 3_000; // the presence policy's default
const GRACE_MS = ROUTING.presence.disconnect_grace;
// Supervisors here read the whole tenant's log (the stories cross teams); the default is their teams'.
const routingSql = (settings) => `${centerSettingsSql('demo', settings)}; UPDATE tenants SET supervisor_reach = 'tenant' WHERE id = 'demo'`;

let edge;
let browser;
let double;
let doublePort;
let host;
let session;
/** CRM pages opened by the running test; signed off after it. */
let desks = [];

before(async () => {
  doublePort = await freePort();
  [edge, browser] = await Promise.all([
    startWranglerDev({
      vars: {
        TWILIO_API_BASE: `http://127.0.0.1:${doublePort}`,
        VOICE_BACKEND: 'double',
        TWILIO_DOUBLE_CLIENT_URL: `ws://127.0.0.1:${doublePort}/_double/client`,
      },
      sql: routingSql(ROUTING),
    }),
    launchBrowser(),
  ]);
  double = await startDouble({ port: doublePort, workerUrl: edge.url, timeScale: TIME_SCALE });
  host = await startHostPage(edge.url, { host: 'localhost', extraHead: hostApiScript({ signIn: true }) });
  // A supervisor's session reads the log and the KPIs (the API never opens a socket: no presence).
  ({ session } = await openSession(edge.url, embedToken({ agent: 'watanabe', roles: ['agent', 'supervisor'] })));
});

after(async () => {
  await browser?.close();
  await host?.close();
  await double?.stop();
  await edge?.stop();
});

afterEach(async () => {
  await Promise.all(desks.splice(0).map((crm) => crm.signOff()));
  const { calls = [] } = await fetch(`${double.url}/_double/calls`).then((r) => r.json()).catch(() => ({}));
  for (const call of calls.filter((c) => !['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(c.status))) {
    await double.hangup(call.call_sid).catch(() => {});
  }
});

/** Signs `agent` in through a CRM page that embeds the widget; resolves once its socket and phone line are up. */
async function signIn(agent) {
  const { name, team } = AGENTS[agent];
  const crm = await CrmPage.open(browser, host.url, { embedTokens: () => embedToken({ agent, name, team }) });
  desks.push(crm);
  const widget = await crm.widget();
  await widget.waitForState('connected');
  await widget.waitForVoiceReady();
  return { crm, widget, agent };
}

/** Signs several agents in at once (an agent becomes available on sign-in, the seed's policy). */
async function signInAll(...agents) {
  const signed = await Promise.all(agents.map(signIn));
  // Nobody from an earlier test may still be available: the roster shows everyone else offline.
  await eventually(async () => {
    const roster = await signed[0].widget.rosterStatuses();
    return Object.entries(roster).every(([agent, status]) => agents.includes(agent) || status === 'offline') && roster;
  }, 'every other agent offline in the roster');
  return signed;
}

async function eventually(fn, what, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'function' ? await what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The worker's last log lines (requests with status and time, structured events), for failure messages. */
function workerLogTail(lines = 150) {
  return edge.output().split('\n').slice(-lines).join('\n');
}

async function api(route) {
  const res = await fetch(new URL(route, edge.url), { headers: { authorization: `Bearer ${session}` } });
  assert.equal(res.status, 200, `${route}: ${res.status}`);
  return res.json();
}

/** The stitched conversation of `callSid` (found by the caller's number) once `ready(c)` holds. */
async function conversation(callSid, number, ready = (c) => c.ended_at) {
  let found;
  return eventually(async () => {
    const { conversations } = await api(`/api/conversations?number=${encodeURIComponent(number)}`);
    found = conversations.find((c) => c.interaction === callSid);
    return found && ready(found) ? found : null;
  }, () => `the conversation of ${callSid}; last seen: ${JSON.stringify(found)}`);
}

/** The tenant's KPIs (one row, all calls) over the conversations that started since `since`. */
async function kpiSince(since) {
  const report = await api(`/api/kpi?from=${since}`);
  assert.equal(report.rows.length, 1, JSON.stringify(report.rows));
  return report.rows[0];
}

const legs = (c) => c.agent_legs.map((leg) => [leg.agent, leg.outcome, leg.step]);

/** Waits until the caller of `callSid` heard a `say` matching `pattern`; returns the call's state. */
const hears = (callSid, pattern, what = String(pattern)) =>
  double.waitForCall(callSid, (s) => heard(s).some((h) => pattern.test(h.text)), `the caller to hear ${what}`);

/** The caller hangs up; the agent's call view closes and they finish wrap-up. */
async function callerHangsUp(callSid, desk) {
  await double.hangup(callSid);
  await desk.widget.finishWrapUp();
}

test('(b) owner away → the owner\'s team rings; team away → anyone; nobody → the queue announces positions (Japanese first) and the first agent to become available gets the call', async () => {
  const since = Date.now();
  const [sato, suzuki, tanaka] = await signInAll('sato', 'suzuki', 'tanaka');
  await sato.widget.choosePresence('away', { reason: 'meeting' });
  await suzuki.widget.waitForRosterStatus('sato', 'away');

  // The owner is away: the owner's team (suzuki) rings, not anyone (tanaka).
  const first = await double.call(YAMADA);
  const pop = await suzuki.widget.waitForOffer(first);
  assert.match(pop, /山田 太郎/, 'screen pop: the customer');
  assert.match(pop, /佐藤 花子/, 'screen pop: the owner');
  await suzuki.widget.acceptOffer(first);
  await suzuki.widget.waitForPresence('on_call');
  await callerHangsUp(first, suzuki);
  await suzuki.widget.choosePresence('away', { reason: 'lunch' });

  // The owner's whole team is away: anyone available (tanaka, support) rings.
  const second = await double.call(NAKAMURA);
  assert.match(await tanaka.widget.waitForOffer(second), /中村 由美/);
  await tanaka.widget.acceptOffer(second);
  await callerHangsUp(second, tanaka);
  await tanaka.widget.choosePresence('away', { reason: 'break' });

  // Nobody is available: both callers wait and hear their place, Japanese first.
  const third = await double.call(KOBAYASHI);
  const thirdHeard = heard(await hears(third, /1番目/));
  const fourth = await double.call(MATSUMOTO);
  const fourthHeard = heard(await hears(fourth, /2番目/));
  for (const [said, position] of [[thirdHeard, 1], [fourthHeard, 2]]) {
    assert.deepEqual(said.slice(0, 2), [
      { text: `ただいま電話が大変混み合っております。お客様は${position}番目にお待ちいただいております。このままお待ちください。`, language: 'ja-JP' },
      { text: `All of our staff are busy. You are number ${position} in line. Please stay on the line.`, language: 'en-US' },
    ]);
  }
  assert.ok((await double.call_state(third)).events.some((e) => e.kind === 'enqueued'), 'the first waiting caller is enqueued');

  // The first agent to become available (tanaka) gets the head of the queue.
  await tanaka.widget.choosePresence('available', { wait: false });
  assert.match(await tanaka.widget.waitForOffer(third), /小林 誠/);
  await tanaka.widget.acceptOffer(third);
  const thirdState = await double.waitForCall(third, (s) => dialled(s).includes('client:demo_tanaka'), 'the queued call dialled to tanaka');
  assert.ok(thirdState.events.some((e) => e.kind === 'rest'), 'the waiting call was redirected out of the queue over REST');
  // The caller behind moves up and hears it at the next announcement.
  await hears(fourth, /1番目/);
  await suzuki.widget.choosePresence('available', { wait: false });
  assert.match(await suzuki.widget.waitForOffer(fourth), /松本 直樹/);
  await suzuki.widget.acceptOffer(fourth);
  await callerHangsUp(third, tanaka);
  await callerHangsUp(fourth, suzuki);

  // Nobody rang who should not have.
  assert.deepEqual(await sato.crm.rings(), [], 'the away owner never rang');
  assert.deepEqual(await tanaka.crm.rings(), [second, third]);
  assert.deepEqual(await suzuki.crm.rings(), [first, fourth]);

  const answered = (c) => c.ended_at && c.outcome === 'answered';
  const log = {
    first: await conversation(first, '03-5555-0101', answered),
    second: await conversation(second, NAKAMURA, answered),
    third: await conversation(third, KOBAYASHI, answered),
    fourth: await conversation(fourth, MATSUMOTO, answered),
  };
  assert.deepEqual(legs(log.first), [['suzuki', 'answered', 'team']]);
  assert.deepEqual(legs(log.second), [['tanaka', 'answered', 'anyone']]);
  assert.deepEqual(legs(log.third), [['tanaka', 'answered', 'queue']]);
  assert.deepEqual(legs(log.fourth), [['suzuki', 'answered', 'queue']]);
  assert.deepEqual(Object.values(log).map((c) => c.answered_by), ['suzuki', 'tanaka', 'tanaka', 'suzuki']);
  assert.equal(log.third.queue, 'voice');
  assert.ok(log.third.queue_time > 0 && log.fourth.queue_time > log.third.queue_time, 'the second waiter waited longer');
  assert.equal(log.first.customer, 'c001');
  const kpi = await kpiSince(since);
  assert.equal(kpi.offered, 4);
  assert.equal(kpi.answered, 4);
  assert.equal(kpi.abandoned + kpi.short_abandoned, 0);
});

test('(c) the owner\'s widget rings unanswered for the step: the team rings next and the owner shows away (no answer)', async () => {
  const since = Date.now();
  const [sato, suzuki] = await signInAll('sato', 'suzuki');
  const call = await double.call(YAMADA);
  assert.match(await sato.widget.waitForOffer(call), /山田 太郎/);
  await sato.widget.waitForPresence('reserved');
  const ringing = Date.now();
  assert.equal(await suzuki.widget.offerFor(call).count(), 0, 'the team waits for the owner\'s step');

  await suzuki.widget.waitForOffer(call, OWNER_RING_MS + 10_000);
  const rang = Date.now() - ringing;
  assert.ok(rang >= OWNER_RING_MS - 2_000, `the owner rang for the whole step (${rang} ms)`);
  await sato.widget.offerFor(call).waitFor({ state: 'detached' });
  await sato.widget.waitForPresence('away');
  assert.equal(await sato.widget.presence.textContent(), '離席（呼び出しに応答なし）');
  assert.deepEqual(await sato.crm.waitForEvent('presence', (d) => d.status?.away), { status: { away: 'no_answer' } });
  await suzuki.widget.waitForRosterStatus('sato', 'away');

  await suzuki.widget.acceptOffer(call);
  const state = await double.waitForCall(call, (s) => s.legs?.some((leg) => leg.status === 'in-progress' && String(leg.to).includes('suzuki')), 'suzuki\'s leg answered');
  assert.deepEqual(dialled(state), ['client:demo_sato', 'client:demo_suzuki'], 'the caller rang the owner, then the team');
  assert.ok(state.events.some((e) => e.kind === 'dial_result' && e.dial_call_status === 'no-answer'));
  await callerHangsUp(call, suzuki);

  const log = await conversation(call, '03-5555-0101', (c) => c.ended_at && c.outcome === 'answered');
  assert.deepEqual(legs(log), [['sato', 'no_answer', 'owner'], ['suzuki', 'answered', 'team']]);
  assert.equal(log.answered_by, 'suzuki');
  const kpi = await kpiSince(since);
  assert.deepEqual([kpi.offered, kpi.answered], [1, 1]);
});

test('(d) the owner\'s tab is frozen and never acknowledges the offer: the next agent rings within the acknowledgement timeout', async () => {
  const since = Date.now();
  const [sato, suzuki] = await signInAll('sato', 'suzuki');
  await sato.crm.freezeWidget();
  let call;
  try {
    const started = Date.now();
    call = await double.call(NAKAMURA);
    assert.match(await suzuki.widget.waitForOffer(call, 10_000), /中村 由美/);
    const moved = Date.now() - started;
    // Not acknowledged in 3 s: the call moves on long before the owner's 8 s ring would end.
    assert.ok(moved < OWNER_RING_MS - 500, `the next agent rang after ${moved} ms`);
    assert.ok(moved >= ACK_TIMEOUT_MS - 500, `the frozen widget had its ${ACK_TIMEOUT_MS} ms (${moved} ms)`);
    await suzuki.widget.waitForRosterStatus('sato', 'away');
  } finally {
    await sato.crm.thawWidget();
  }
  // Back in the foreground, the owner's widget shows why they are away, and no offer.
  await sato.widget.waitForPresence('away');
  assert.equal(await sato.widget.presence.textContent(), '離席（着信に応答なし）');
  assert.equal(await sato.widget.offerFor(call).count(), 0);

  await suzuki.widget.acceptOffer(call);
  const state = await double.waitForCall(call, (s) => dialled(s).includes('client:demo_suzuki'), 'a dial to suzuki');
  assert.deepEqual(dialled(state), ['client:demo_sato', 'client:demo_suzuki']);
  assert.ok(state.events.some((e) => e.kind === 'rest' && e.method === 'POST'),
    'Twilio was told over REST to stop ringing the frozen owner');
  await callerHangsUp(call, suzuki);

  const log = await conversation(call, NAKAMURA, (c) => c.ended_at && c.outcome === 'answered');
  assert.deepEqual(legs(log), [['sato', 'missed', 'owner'], ['suzuki', 'answered', 'team']]);
  assert.equal(log.answered_by, 'suzuki');
  const kpi = await kpiSince(since);
  assert.deepEqual([kpi.offered, kpi.answered], [1, 1]);
});

test('(e) the caller hangs up while queued (scenario): the conversation is abandoned and counted in the abandonment rate', async () => {
  const [watanabe] = await signInAll('watanabe');
  await watanabe.widget.choosePresence('away', { reason: 'training' });
  // Taken just before the call: Twilio's whole-second times must not start it any earlier.
  const since = Date.now();

  // The scenario plays the caller with a double of its own on the worker's Twilio address.
  await double.stop();
  let played;
  try {
    played = await runScenario(path.join(HERE, 'scenarios', 'queued-caller-abandons.json'), { port: doublePort, workerUrl: edge.url });
  } finally {
    double = await startDouble({ port: doublePort, workerUrl: edge.url, timeScale: TIME_SCALE });
  }
  assert.equal(played.code, 0, played.output);
  assert.match(played.output, /8 passed, 0 failed, 0 skipped/);
  assert.deepEqual(await watanabe.crm.rings(), [], 'an away agent is never offered the waiting call');

  let seen;
  const abandoned = await eventually(async () => {
    ({ conversations: seen } = await api(`/api/conversations?number=${encodeURIComponent(YOSHIDA)}&from=${since}`));
    return seen.find((c) => c.outcome?.abandoned);
  }, () => `an abandoned conversation; seen: ${JSON.stringify(seen)}\nthe double:\n${played.output}\nthe worker:\n${workerLogTail()}`);
  assert.ok(abandoned.outcome.abandoned.after >= 6_000, `the caller waited ${abandoned.outcome.abandoned.after} ms`);
  assert.equal(abandoned.queue, 'voice');
  assert.equal(abandoned.answered_by, null);
  assert.deepEqual(abandoned.agent_legs, []);
  const kpi = await kpiSince(since);
  assert.deepEqual([kpi.offered, kpi.answered, kpi.abandoned, kpi.short_abandoned], [1, 0, 1, 0]);
  assert.equal(kpi.abandonment_rate, 1);

  // The call left the queue: an agent who becomes available now gets the next caller, not it.
  // The widget's phone line was on the double that just restarted: reload, as an agent would.
  const widget = await watanabe.crm.reload();
  await widget.waitForState('connected');
  await widget.waitForVoiceReady();
  await widget.waitForPresence('away');
  await widget.choosePresence('available');
  const next = await double.call(YAMAMOTO);
  assert.match(await widget.waitForOffer(next), /山本 あかり/);
  assert.deepEqual(await watanabe.crm.rings(), [next]);
  await double.hangup(next);
  await widget.offerFor(next).waitFor({ state: 'detached' });
});

test('(f) an agent closes the CRM tab while available: after the grace period another agent\'s roster shows them offline, and a new call goes elsewhere', async () => {
  const since = Date.now();
  const [ito, tanaka] = await signInAll('ito', 'tanaka');
  await tanaka.widget.waitForRosterStatus('ito', 'available');

  desks = desks.filter((crm) => crm !== ito.crm);
  const closed = Date.now();
  await ito.crm.close();
  // A reload or a short drop must not log anyone out: during the grace ito still shows available.
  assert.equal((await tanaka.widget.rosterStatuses()).ito, 'available');
  await tanaka.widget.waitForRosterStatus('ito', 'offline', GRACE_MS + 10_000);
  const gone = Date.now() - closed;
  assert.ok(gone >= GRACE_MS - 500, `offline after ${gone} ms, not before the ${GRACE_MS} ms grace`);
  assert.equal(await tanaka.widget.rosterLabel('ito'), 'オフライン');

  // ito's customer calls: ito is skipped, their team (tanaka) rings.
  const call = await double.call(CARTER);
  const pop = await tanaka.widget.waitForOffer(call);
  assert.match(pop, /Emily Carter/);
  assert.match(pop, /伊藤 さくら/, 'the screen pop still names the owner');
  await tanaka.widget.acceptOffer(call);
  const state = await double.waitForCall(call, (s) => s.legs?.some((leg) => leg.status === 'in-progress'), 'the agent leg answered');
  assert.deepEqual(dialled(state), ['client:demo_tanaka'], 'the closed tab\'s agent never rang');
  await callerHangsUp(call, tanaka);

  const log = await conversation(call, CARTER, (c) => c.ended_at && c.outcome === 'answered');
  assert.deepEqual(legs(log), [['tanaka', 'answered', 'team']]);
  const kpi = await kpiSince(since);
  assert.deepEqual([kpi.offered, kpi.answered], [1, 1]);
});

test('(h) nobody answers within the tenant\'s limit: the caller is told and the fallback number is dialled', async () => {
  const since = Date.now();
  await edge.d1(routingSql({ ...ROUTING, max_wait: 2_000 }));
  try {
    await double.phone(FALLBACK, { answer_after_ms: 200, hangup_after_ms: 1_000 });
    const [sato] = await signInAll('sato');
    const call = await double.call(YAMADA);
    assert.match(await sato.widget.waitForOffer(call), /山田 太郎/);
    // sato lets it ring; after the owner's step the 2 s limit is long past.
    const state = await double.waitForCall(call, (s) => s.status === 'completed', 'the call to end at the fallback', 30_000);
    assert.deepEqual(dialled(state), ['client:demo_sato', FALLBACK]);
    const said = heard(state);
    assert.deepEqual(said.slice(0, 2), [
      { text: 'お待たせして申し訳ございません。別の窓口におつなぎします。', language: 'ja-JP' },
      { text: 'Sorry to keep you waiting. Connecting you to another line.', language: 'en-US' },
    ]);
    await sato.widget.offerFor(call).waitFor({ state: 'detached' });
    await sato.widget.waitForPresence('away');
    assert.equal(await sato.widget.presence.textContent(), '離席（呼び出しに応答なし）');

    const log = await conversation(call, '03-5555-0101', (c) => c.ended_at && c.outcome?.fallback);
    assert.deepEqual(log.outcome, { fallback: { number: FALLBACK, answered: true } });
    assert.deepEqual(log.external_legs.map((leg) => [leg.number, leg.outcome]), [[FALLBACK, 'answered']]);
    assert.deepEqual(legs(log), [['sato', 'no_answer', 'owner']]);
    const kpi = await kpiSince(since);
    assert.deepEqual([kpi.offered, kpi.answered, kpi.fallback], [1, 0, 1]);
  } finally {
    await edge.d1(routingSql(ROUTING));
  }
});

test('(g) a forged webhook gets 403 and changes nothing; duplicated and reordered callbacks give the same stitched log as clean ones', async () => {
  const countEvents = async () => (await edge.d1('SELECT COUNT(*) AS n FROM call_events'))[0].n;

  /** 小林 calls his owner suzuki, who answers in the widget; the caller hangs up. The log's shape. */
  const story = async () => {
    const [suzuki] = await signInAll('suzuki');
    const call = await double.call(KOBAYASHI);
    assert.match(await suzuki.widget.waitForOffer(call), /小林 誠/);
    await suzuki.widget.acceptOffer(call);
    await double.waitForCall(call, (s) => s.legs?.some((leg) => leg.status === 'in-progress'), 'suzuki\'s leg answered');
    await callerHangsUp(call, suzuki);
    await Promise.all(desks.splice(0).map((crm) => crm.signOff()));
    const done = await conversation(call, KOBAYASHI, (c) => c.ended_at && c.outcome === 'answered' && c.recordings.length);
    return { call, done };
  };
  /** Only what must not depend on delivery: sids and times differ between two calls. */
  const shape = async ({ call, done }) => ({
    outcome: done.outcome,
    answered_by: done.answered_by,
    customer: done.customer,
    legs: legs(done),
    external_legs: done.external_legs,
    recordings: done.recordings.map((r) => [r.status, r.channels]),
    events: await edge.d1(`SELECT kind, COUNT(*) AS n FROM call_events WHERE interaction_id = '${call}' GROUP BY kind ORDER BY kind`),
  });

  // A forgery: a well-formed incoming call for the demo account, signed with the wrong key.
  const [suzuki] = await signInAll('suzuki');
  const eventsBefore = await countEvents();
  const forged = sid();
  const res = await postWebhook(new URL('/twilio/voice/demo/incoming', edge.url).href,
    inboundCallParams({ callSid: forged, from: KOBAYASHI, to: MAIN_LINE, accountSid: ACCOUNT }),
    { authToken: 'not-the-demo-auth-token' });
  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), { error: 'bad_signature', message: 'invalid Twilio signature' });
  assert.equal(await countEvents(), eventsBefore, 'nothing was recorded');
  const { conversations } = await api(`/api/conversations?number=${encodeURIComponent(KOBAYASHI)}`);
  assert.equal(conversations.some((c) => c.interaction === forged), false, 'no conversation');
  // The hub answers in order: had the forgery rung suzuki, that ring would come before the next.
  const genuine = await double.call(KOBAYASHI);
  await suzuki.widget.waitForOffer(genuine);
  assert.deepEqual(await suzuki.crm.rings(), [genuine], 'the forged call never rang the widget');
  await double.hangup(genuine);
  await suzuki.widget.offerFor(genuine).waitFor({ state: 'detached' });
  await Promise.all(desks.splice(0).map((crm) => crm.signOff()));

  const clean = await story();
  const cleanShape = await shape(clean);
  assert.equal(cleanShape.outcome, 'answered');
  assert.deepEqual(cleanShape.legs, [['suzuki', 'answered', 'owner']]);

  // The same story with every callback delivered twice and half of them held back.
  await double.stop();
  double = await startDouble({ port: doublePort, workerUrl: edge.url, timeScale: TIME_SCALE, duplicate: 1, reorder: 0.5, seed: 7 });
  try {
    const messy = await story();
    const callerEvents = (await double.call_state(messy.call)).events.filter((e) => e.kind === 'webhook');
    assert.ok(callerEvents.some((e) => e.duplicate), 'callbacks were duplicated');
    assert.ok(callerEvents.some((e) => e.delayed), 'callbacks were reordered');
    // Late callbacks may still be on their way: the log settles to the clean one.
    let messyShape;
    await eventually(async () => {
      messyShape = await shape({ call: messy.call, done: await conversation(messy.call, KOBAYASHI) });
      return JSON.stringify(messyShape) === JSON.stringify(cleanShape);
    }, 'the messy log to equal the clean one', 15_000).catch(() => {});
    assert.deepEqual(messyShape, cleanShape);
  } finally {
    await double.stop();
    double = await startDouble({ port: doublePort, workerUrl: edge.url, timeScale: TIME_SCALE });
  }
});
