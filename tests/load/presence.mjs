//! Load: thousands of widget sockets on one tenant with presence changes at a steady rate; prints delivery latency.
//!
//! Usage (after `cargo xtask build`): `node tests/load/presence.mjs [--sockets 2000] [--rate 20] [--seconds 20] [--observers 100] [--profile out.cpuprofile]`.
//! Every socket is a signed-in agent of one of 20 teams, hearing its team (presence fans out by
//! team). Each change is one agent toggling away/available; the latency of a change is measured
//! at those of the `--observers` sockets in the changing agent's team, from sending `set_status` until the
//! observer receives a roster with the new status (broadcasts are coalesced every 250 ms, so that
//! window is part of the number on purpose). The last line is `RESULT {json}` for `all.mjs`.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { startCpuProfile } from '../support/cpu-profile.mjs';

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    observers: { type: 'string', default: '100' },
    // Writes a CPU profile of the worker's isolate during the changes (not the sign-in) and
    // prints where it went (`tests/support/cpu-profile.mjs`).
    profile: { type: 'string' },
  },
});
const SOCKETS = Number(values.sockets);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const OBSERVERS = Math.min(Number(values.observers), SOCKETS);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const edge = await startWranglerDev();
// Past wrangler's proxy, which runs out of open files near 4,900 sockets (see `userWorkerUrl`).
const base = await edge.directUrl();
const clients = [];
const pending = new Map(); // `${agent} ${kind}` -> { sentAt, remaining:Set<observer index> }
const latencies = [];
try {
  const started = performance.now();
  for (let i = 0; i < SOCKETS; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(SOCKETS, i + 50); j += 1) {
      batch.push((async () => {
        const agent = `load_${j}`;
        const { session } = await openSession(base, embedToken({ agent, team: `team${j % 20}` }));
        const client = await HubClient.connect(base, 'demo', session);
        await client.next('welcome', 0, 60_000);
        client.agent = agent;
        client.team = j % 20;
        return client;
      })());
    }
    clients.push(...await Promise.all(batch));
  }
  const connectSeconds = (performance.now() - started) / 1000;
  console.log(`${SOCKETS} sockets signed in in ${connectSeconds.toFixed(1)} s`);

  clients.slice(0, OBSERVERS).forEach((client, index) => {
    client.ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type !== 'roster') return;
      const now = performance.now();
      for (const entry of message.agents) {
        const key = `${entry.agent} ${entry.status.kind}`;
        const waiting = pending.get(key);
        if (waiting?.remaining.delete(index)) latencies.push(now - waiting.sentAt);
      }
    });
  });

  const profiler = values.profile ? await startCpuProfile(edge.inspectorPort) : null;
  const away = new Set();
  const lastChange = new Map();
  let changes = 0;
  let expected = 0;
  const interval = 1000 / RATE;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    // Not an agent changed in the last two seconds: the hub coalesces an agent's changes within its
    // window, so away-then-available would show only 'available' and count as a lost delivery.
    let client;
    do {
      client = clients[OBSERVERS + Math.floor(Math.random() * (SOCKETS - OBSERVERS))] ?? clients[0];
    } while (performance.now() - (lastChange.get(client.agent) ?? -Infinity) < 2000);
    lastChange.set(client.agent, performance.now());
    const goingAway = !away.has(client.agent);
    const kind = goingAway ? 'away' : 'available';
    if (goingAway) away.add(client.agent); else away.delete(client.agent);
    // Presence fans out by team: an observer hears the changes of its own team only.
    const watching = Array.from({ length: OBSERVERS }, (_, i) => i).filter((i) => clients[i].team === client.team);
    pending.set(`${client.agent} ${kind}`, { sentAt: performance.now(), remaining: new Set(watching) });
    expected += watching.length;
    client.send({ type: 'set_status', status: goingAway ? { kind: 'away', reason: 'break' } : { kind: 'available' } });
    changes += 1;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  if (profiler) console.log(JSON.stringify({ cpu_profile: await profiler.stop(values.profile) }, null, 1));
  const sorted = latencies.sort((a, b) => a - b);
  const result = {
    machine: `${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load_average_1m: +os.loadavg()[0].toFixed(2),
    sockets: SOCKETS,
    changes,
    rate_per_s: RATE,
    observers: OBSERVERS,
    deliveries_expected: expected,
    deliveries_seen: sorted.length,
    delivery_ms: sorted.length ? { p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)), max: Math.round(sorted.at(-1)) } : null,
    connect_s: +connectSeconds.toFixed(1),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  for (const client of clients) client.ws.terminate();
  await edge.stop();
}
