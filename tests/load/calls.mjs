//! Load: a burst of simulated inbound calls against one tenant with many agents; prints latency and outcomes.
//!
//! Usage (after `cargo xtask build`): `node tests/load/calls.mjs [--calls 1000] [--agents 200]`
//! (a burst) or `node tests/load/calls.mjs --rate 100 --seconds 30 --agents 500` (steady);
//! `--profile file.cpuprofile` also samples the worker's CPU during the calls and prints where it went.
//! Starts its own `wrangler dev` (fresh local D1 and Durable Objects), signs `--agents` agents in over
//! real WebSockets (they acknowledge every offer, as a live widget does), then fires `--calls`
//! signed incoming-call webhooks at once, as Twilio would — or, with `--rate`, `--rate` calls a
//! second for `--seconds` whether or not earlier ones were answered (an open loop, as callers do) —
//! and checks every answer is valid TwiML that either rings an agent or queues the caller, then
//! waits for every call to reach the call log. The last line is `RESULT {json}` for `all.mjs`.
//! `--talk s`: the agents also answer, as people do. The script plays Twilio's side of it (the
//! agent's leg ringing then in progress a ring's length after the offer, both legs completed `s`
//! seconds later) and each agent ends its wrap-up at once, and makes itself available again a
//! second after the hub sets it away (`pushed_away` counts those, by reason); queued callers are
//! then offered and answered the same way. Without it (`--talk 0`) nobody answers: every offer rings until its
//! timeout, the worst case for the hub.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';
import { startCpuProfile } from '../support/cpu-profile.mjs';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    agents: { type: 'string', default: '200' },
    // How many webhooks are in flight at once (Twilio sends a burst all at once: the default).
    concurrency: { type: 'string', default: '0' },
    // Steady arrivals instead of a burst: calls per second, for `--seconds`.
    rate: { type: 'string', default: '0' },
    seconds: { type: 'string', default: '30' },
    // Seconds an answered call lasts; 0: the agents acknowledge offers but never answer.
    talk: { type: 'string', default: '0' },
    // Writes a CPU profile of the worker's isolate during the calls (Chrome's `.cpuprofile`) and
    // prints the functions that took the most CPU.
    profile: { type: 'string' },
  },
});
const RATE = Number(values.rate);
const CALLS = RATE > 0 ? RATE * Number(values.seconds) : Number(values.calls);
const AGENTS = Number(values.agents);
const CONCURRENCY = Number(values.concurrency) || Number(values.calls);
const TALK_MS = Number(values.talk) * 1000;
// How long an answering agent's phone rings before they pick up.
const RING_MS = 1000;
const ACCOUNT = 'AC00000000000000000000000000000d30';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const rest = await startRestRecorder();
const hook = (name, query) => new URL(`/twilio/voice/demo/${name}${query}`, edge.url).href;
const authToken = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Twilio's other webhooks, as an answered call makes them: their answers, and the calls answered
// and ended (a call offered twice, after a queue, is answered once).
const statusHooks = [];
const answered = new Set();
const ended = new Set();
const playbacks = [];
// Agents the hub set away (the load's agents never choose it), by reason: an offer not
// acknowledged in time, a ring not answered. Answering agents, as people do, make themselves
// available again a second later; without that, an overloaded run (acknowledgements handled
// after the hub's 3 s deadline) set every agent away and the queue stopped being answered.
const pushedAway = {};
const BACK_FROM_AWAY_MS = 1000;
async function statusHook(url, params) {
  const t0 = performance.now();
  try {
    const res = await postWebhook(url, { AccountSid: ACCOUNT, ...params }, { authToken });
    await res.arrayBuffer();
    statusHooks.push({ status: res.status, ms: performance.now() - t0 });
  } catch (err) {
    statusHooks.push({ status: 0, ms: performance.now() - t0, error: String(err) });
  }
}
/** Twilio's side of `agent` answering the offered `conversation`, talking, and the caller hanging up. */
async function answer(agent, conversation) {
  if (answered.has(conversation)) return;
  answered.add(conversation);
  const leg = sid();
  const agentLeg = (status, sequence, extra = {}) => statusHook(hook('agent-status', `?agent=${agent}&conversation=${conversation}`), {
    CallSid: leg, ParentCallSid: conversation, CallStatus: status, Direction: 'outbound-dial',
    From: '+819000000000', To: `client:${clientIdentity('demo', agent)}`, SequenceNumber: String(sequence), ...extra,
  });
  await agentLeg('ringing', 1);
  await sleep(RING_MS);
  await agentLeg('in-progress', 2);
  await sleep(TALK_MS);
  await agentLeg('completed', 3, { CallDuration: String(TALK_MS / 1000) });
  await statusHook(hook('status', ''), {
    CallSid: conversation, CallStatus: 'completed', Direction: 'inbound', From: '+819000000000',
    To: '+815012345678', SequenceNumber: '4', CallDuration: String(TALK_MS / 1000 + 1),
  });
  ended.add(conversation);
}
const edge = await startWranglerDev({ vars: { TWILIO_API_BASE: rest.url } });
const clients = [];
try {
  // Sign the agents in, a few at a time (each opens a session and a socket).
  for (let i = 0; i < AGENTS; i += 20) {
    const batch = [];
    for (let j = i; j < Math.min(AGENTS, i + 20); j += 1) {
      batch.push((async () => {
        const agent = `load_agent_${j}`;
        const { session } = await openSession(edge.url, embedToken({ agent, team: j % 2 ? 'sales' : 'support' }));
        const client = await HubClient.connect(edge.url, 'demo', session);
        client.ws.on('message', (data) => {
          const message = JSON.parse(String(data));
          if (message.type === 'offer') {
            client.send({ type: 'ack_offer', offer: message.offer });
            if (TALK_MS > 0) playbacks.push(answer(agent, message.conversation));
          }
          if (message.type === 'status' && message.status?.kind === 'away') {
            pushedAway[message.status.reason] = (pushedAway[message.status.reason] ?? 0) + 1;
            if (TALK_MS > 0) {
              setTimeout(() => client.send({ type: 'set_status', status: { kind: 'available' } }), BACK_FROM_AWAY_MS);
            }
          }
          // Wrap-up done at once: the agent is ready for the next caller.
          if (TALK_MS > 0 && message.type === 'status' && message.status?.kind === 'wrap_up') client.send({ type: 'end_wrap_up' });
        });
        await client.next('welcome', 0, 30_000);
        return client;
      })());
    }
    clients.push(...await Promise.all(batch));
  }
  console.log(`${AGENTS} agents signed in`);

  const url = new URL('/twilio/voice/demo/incoming', edge.url).href;
  const profiler = values.profile ? await startCpuProfile(edge.inspectorPort) : null;
  const started = performance.now();
  const place = async (i) => {
    const callSid = sid();
    const from = `+8190${String(10_000_000 + i).padStart(8, '0')}`;
    const t0 = performance.now();
    try {
      const res = await postWebhook(url, inboundCallParams({ callSid, from, to: '+815012345678', accountSid: ACCOUNT }),
        { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN });
      const body = await res.text();
      const ms = performance.now() - t0;
      const kind = /<Dial[ >][\s\S]*<Client/.test(body) ? 'ring' : /<Enqueue[ >]/.test(body) ? 'queued' : 'other';
      return { status: res.status, ms, kind, valid: body.startsWith('<?xml') && body.includes('</Response>') };
    } catch (err) {
      return { status: 0, ms: performance.now() - t0, kind: 'lost', valid: false, error: String(err) };
    }
  };
  const results = [];
  if (RATE > 0) {
    const inFlight = [];
    for (let i = 0; i < CALLS; i += 1) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(place(i).then((r) => { results[i] = r; }));
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < CALLS) {
        const i = next;
        next += 1;
        results[i] = await place(i);
      }
    }));
  }
  const wall = performance.now() - started;
  // With answering agents, every caller (queued ones after an agent frees up) must be answered
  // and hung up; the playbacks list grows as queued callers are offered.
  if (TALK_MS > 0) {
    const until = performance.now() + 120_000 + TALK_MS;
    while (ended.size < CALLS && performance.now() < until) {
      await Promise.all(playbacks);
      if (ended.size < CALLS) await sleep(500);
    }
    await Promise.all(playbacks);
  }
  if (profiler) console.log(JSON.stringify({ cpu_profile: await profiler.stop(values.profile) }, null, 1));
  if (RATE > 0) {
    // Where in the run the slow answers were: the slowest answer of each second's arrivals.
    const slowest = [];
    for (let i = 0; i < results.length; i += RATE) {
      slowest.push(Math.round(Math.max(...results.slice(i, i + RATE).map((r) => r.ms))));
    }
    console.log(`slowest answer per second of arrivals (ms): ${slowest.join(' ')}`);
  }
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const count = (pred) => results.filter(pred).length;
  const answers = {
    machine: `${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load_average_1m: +os.loadavg()[0].toFixed(2),
    calls: CALLS,
    agents: AGENTS,
    arrivals: RATE > 0 ? `${RATE}/s for ${values.seconds} s` : `burst, ${CONCURRENCY} in flight`,
    rung: count((r) => r.kind === 'ring'),
    queued: count((r) => r.kind === 'queued'),
    other: count((r) => r.kind === 'other'),
    lost: count((r) => r.kind === 'lost'),
    status_5xx: count((r) => r.status >= 500),
    invalid_twiml: count((r) => !r.valid),
    webhook_ms: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies.at(-1)) },
    ...(TALK_MS > 0 ? (() => {
      const ms = statusHooks.map((r) => r.ms).sort((a, b) => a - b);
      return {
        talk_s: TALK_MS / 1000,
        answered: answered.size,
        ended: ended.size,
        status_webhooks: statusHooks.length,
        status_webhook_failures: statusHooks.filter((r) => r.status !== 200).length,
        status_webhook_ms: { p50: Math.round(percentile(ms, 50)), p99: Math.round(percentile(ms, 99)) },
      };
    })() : {}),
    pushed_away: pushedAway,
    wall_s: +(wall / 1000).toFixed(1),
    calls_per_s: Math.round(CALLS / (wall / 1000)),
  };
  console.log(JSON.stringify(answers, null, 2));
  // Where the time went, from the worker's own structured logs.
  const plans = edge.output().split('\n').filter((l) => l.includes('"event":"voice.plan"'))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))));
  const stage = (name) => plans.map((p) => p[name]).filter((v) => v !== undefined).sort((a, b) => a - b);
  const slow = edge.output().split('\n').filter((l) => l.includes('hub.slow_persist')).length;
  const inside = {
    worker_d1_ms: { p50: percentile(stage('d1_ms'), 50), p99: percentile(stage('d1_ms'), 99) },
    worker_hub_ms: { p50: percentile(stage('hub_ms'), 50), p99: percentile(stage('hub_ms'), 99) },
    worker_total_ms: (() => {
      // D1 plus the hub: the I/O a webhook waits for inside the worker (CPU between them is not
      // visible to the Workers clock, which advances only across I/O).
      const total = plans.filter((p) => p.hook === 'incoming').map((p) => (p.d1_ms ?? 0) + (p.hub_ms ?? 0)).sort((a, b) => a - b);
      return { p50: percentile(total, 50), p99: percentile(total, 99) };
    })(),
    slow_snapshot_writes: slow,
  };
  console.log(JSON.stringify(inside));
  // The call log: the hub writes it to D1 after answering, so it lags the burst; every call must
  // land in it (a conversation each), however long that takes.
  const burstEnd = performance.now();
  let logged = 0;
  while (performance.now() - burstEnd < 180_000) {
    [{ n: logged }] = await edge.d1("SELECT COUNT(*) AS n FROM conversations WHERE tenant_id = 'demo'");
    if (logged >= CALLS) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const log = {
    call_log: {
      conversations: logged,
      complete_s_after_burst: logged >= CALLS ? +((performance.now() - burstEnd) / 1000).toFixed(1) : null,
      failed_writes: edge.output().split('\n').filter((l) => l.includes('hub.log_write_failed')).length,
    },
  };
  console.log(JSON.stringify(log));
  console.log(`RESULT ${JSON.stringify({ ...answers, ...inside, ...log })}`);
} finally {
  for (const client of clients) client.ws.terminate();
  await edge.stop();
  await rest.close();
}
