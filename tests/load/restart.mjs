//! Fault: the worker restarts in the middle of a burst of calls; prints whether any queued call was lost.
//!
//! Usage (after `cargo xtask build`): `node tests/load/restart.mjs [--calls 300]`.
//! Nobody is available, so every call should queue. Half-way through the burst `wrangler dev` is
//! stopped and started again on the same state. A webhook that failed during the restart is retried
//! once afterwards, as Twilio does. Then every call polls its queue's waitUrl: a call the worker
//! forgot would get no position. Last, every call must be in the call log (a conversation and one
//! `queued` event each), though the restart cut some of the hub's log writes short.
//! The last line is `RESULT {json}` for `all.mjs`.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { DEV_VARS } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '300' } } });
const CALLS = Number(values.calls);
const ACCOUNT = 'AC00000000000000000000000000000d30';
const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;

const rest = await startRestRecorder();
const edge = await startWranglerDev({ vars: { TWILIO_API_BASE: rest.url } });
try {
  const hook = (name, query = '') => new URL(`/twilio/voice/demo/${name}${query}`, edge.url).href;
  const calls = Array.from({ length: CALLS }, (_, i) => ({
    callSid: sid(),
    from: `+8190${String(20_000_000 + i).padStart(8, '0')}`,
  }));
  const place = async (call) => {
    try {
      const res = await postWebhook(hook('incoming'), inboundCallParams({ ...call, to: '+815012345678', accountSid: ACCOUNT }), { authToken: AUTH_TOKEN });
      return res.status === 200 && /<Enqueue[ >]/.test(await res.text());
    } catch {
      return false;
    }
  };
  // Calls keep arriving (five in flight at a time) while the worker restarts a third of the way in.
  let answered = 0;
  let next = 0;
  const senders = Array.from({ length: 5 }, async () => {
    while (next < CALLS) {
      const call = calls[next];
      next += 1;
      call.queued = await place(call);
      answered += 1;
    }
  });
  const restart = (async () => {
    while (answered < CALLS / 3) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await edge.restart();
    return performance.now() - t0;
  })();
  const [restartMs] = await Promise.all([restart, ...senders]);
  const failedDuringRestart = calls.filter((c) => !c.queued).length;
  for (const call of calls.filter((c) => !c.queued)) call.queued = await place(call); // Twilio's retry
  let lost = 0;
  const positions = new Set();
  for (const call of calls) {
    const res = await postWebhook(hook('queue-wait', `?conversation=${call.callSid}`), {
      AccountSid: ACCOUNT, CallSid: call.callSid, CallStatus: 'in-progress', Direction: 'inbound', From: call.from,
      QueueSid: 'QU00000000000000000000000000000001', QueuePosition: '1', QueueTime: '10', AvgQueueTime: '10', CurrentQueueSize: String(CALLS),
    }, { authToken: AUTH_TOKEN });
    const match = (await res.text()).match(/(\d+)番目/);
    if (!match) lost += 1; else positions.add(Number(match[1]));
  }
  // The call log: rows the hub had not written to D1 when it died are in its outbox and are
  // written by its next life; every call must reach the log, once.
  const logStart = performance.now();
  let logged = 0;
  while (performance.now() - logStart < 60_000) {
    [{ n: logged }] = await edge.d1("SELECT COUNT(*) AS n FROM conversations WHERE tenant_id = 'demo'");
    if (logged >= CALLS) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const [{ n: queuedEvents }] = await edge.d1("SELECT COUNT(*) AS n FROM call_events WHERE tenant_id = 'demo' AND kind = 'queued'");
  const result = {
    machine: `${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}`,
    load_average_1m: +os.loadavg()[0].toFixed(2),
    calls: CALLS,
    restart_ms: Math.round(restartMs),
    webhooks_failed_during_restart_then_retried: failedDuringRestart,
    queued_after_retry: calls.filter((c) => c.queued).length,
    lost,
    distinct_queue_positions: positions.size,
    call_log: { conversations: logged, queued_events: queuedEvents },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await edge.stop();
  await rest.close();
}
