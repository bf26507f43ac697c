//! A reduced reconnect storm (correctness only; `cargo xtask load reconnect` is the large run): every signed-in socket drops at once and comes back at once, as after a deploy, and no presence state or ringing call is lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { DEV_VARS } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid, startRestRecorder } from '../support/twilio.mjs';
import { closeAll, reconnectStorm, signInAgents } from '../support/storm.mjs';

let edge;
let rest;
before(async () => {
  rest = await startRestRecorder();
  edge = await startHarness({ vars: { TWILIO_API_BASE: rest.url } });
});
after(async () => {
  await edge?.close();
  await rest?.close();
});

test('60 sockets drop and reconnect at once with 4 calls ringing: every away reason kept, every call offered again', async () => {
  const agents = await signInAgents(edge.url, 60);
  try {
    const placeCall = async (i) => {
      const callSid = sid();
      const res = await postWebhook(
        new URL('/twilio/voice/demo/incoming', edge.url).href,
        inboundCallParams({ callSid, from: `+8190${String(30_000_000 + i).padStart(8, '0')}`, to: '+815012345678', accountSid: 'AC00000000000000000000000000000d30' }),
        { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN },
      );
      assert.equal(res.status, 200);
      return callSid;
    };
    const result = await reconnectStorm(edge.url, agents, { calls: 4, placeCall, settleMs: 30_000 });
    assert.equal(result.offered_before_storm, 4, JSON.stringify(result));
    assert.equal(result.reconnects_refused, 0, JSON.stringify(result));
    assert.equal(result.statuses_lost, 0, JSON.stringify(result));
    assert.equal(result.offers_lost, 0, JSON.stringify(result));
    assert.notEqual(result.settled_s, null, JSON.stringify(result));
  } finally {
    closeAll(agents);
  }
});
