//! Load: a reconnect storm — thousands of signed-in sockets drop at once and come back at once (as after a deploy); prints how long the tenant takes to settle and whether any presence state or ringing call was lost.
//!
//! Usage (after `cargo xtask build`): `node tests/load/reconnect.mjs [--sockets 5000] [--calls 50] [--settle 120]`.
//! Agents sign in 50 at a time and choose a status (a third available, the rest away for one of
//! four reasons); `--calls` incoming calls ring available agents; then every socket is terminated
//! and every agent reconnects with its session at once (a refused connection retries with a
//! jittered back-off, as the widget does). Settled: every agent welcomed back with the status it
//! had (away reasons kept; available agents available or ringing) and every call offered again.
//! The last line is `RESULT {json}` for `tests/load/all.mjs`.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { DEV_VARS } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';
import { closeAll, reconnectStorm, signInAgents } from '../support/storm.mjs';

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '5000' },
    calls: { type: 'string', default: '50' },
    settle: { type: 'string', default: '120' },
  },
});
const SOCKETS = Number(values.sockets);
const CALLS = Number(values.calls);

const rest = await startRestRecorder();
const edge = await startWranglerDev({ vars: { TWILIO_API_BASE: rest.url } });
// Past wrangler's proxy, which runs out of open files near 4,900 sockets (see `userWorkerUrl`);
// the webhooks are signed for this address too, since it is the URL the worker then sees.
const base = await edge.directUrl();
let agents = [];
try {
  const started = performance.now();
  agents = await signInAgents(base, SOCKETS, { prefix: 'storm' });
  const signInSeconds = (performance.now() - started) / 1000;
  console.log(`${SOCKETS} sockets signed in (with their statuses) in ${signInSeconds.toFixed(1)} s`);
  const placeCall = async (i) => {
    const callSid = sid();
    await postWebhook(
      new URL('/twilio/voice/demo/incoming', base).href,
      inboundCallParams({ callSid, from: `+8190${String(40_000_000 + i).padStart(8, '0')}`, to: '+815012345678', accountSid: 'AC00000000000000000000000000000d30' }),
      { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN },
    );
    return callSid;
  };
  const storm = await reconnectStorm(base, agents, { calls: CALLS, placeCall, settleMs: Number(values.settle) * 1000 });
  const result = {
    machine: `${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load_average_1m: +os.loadavg()[0].toFixed(2),
    sign_in_s: +signInSeconds.toFixed(1),
    ...storm,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  closeAll(agents);
  await edge.stop();
  await rest.close();
}
