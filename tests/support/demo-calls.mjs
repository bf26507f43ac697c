//! Raw Twilio webhooks for the demo tenant's main line, signed with its development auth token, and agents signed in over a real socket: what the tests of routing (D1 outages, the live CRM lookup) drive calls with.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HubClient } from './socket.mjs';
import { DEV_VARS, embedToken, openSession } from './auth.mjs';
import { clientIdentity, inboundCallParams, postWebhook } from './twilio.mjs';

export const AUTH_TOKEN = DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN;
export const ACCOUNT = 'AC00000000000000000000000000000d30';
export const MAIN_LINE = '+815012345678';

/** The demo tenant's calls against the worker at `baseUrl`. */
export function demoCalls(baseUrl) {
  const hook = (name, query = '') => new URL(`/twilio/voice/demo/${name}${query}`, baseUrl).href;
  return {
    /** A call from `from` to the main line: `{ status, xml }` of the worker's answer. */
    async incoming(callSid, from) {
      const res = await postWebhook(hook('incoming'), inboundCallParams({ callSid, from, to: MAIN_LINE, accountSid: ACCOUNT }), { authToken: AUTH_TOKEN });
      return { status: res.status, xml: await res.text() };
    },
    /** A status callback of the caller's own leg. */
    callerLeg(callSid, status, sequence, from, extra = {}) {
      return postWebhook(hook('status'), {
        AccountSid: ACCOUNT, CallSid: callSid, CallStatus: status, Direction: 'inbound',
        From: from, To: MAIN_LINE, SequenceNumber: String(sequence), ...extra,
      }, { authToken: AUTH_TOKEN });
    },
    /** A status callback of the agent's leg of the call. */
    agentLeg(callSid, agent, legSid, status, sequence, from, extra = {}) {
      return postWebhook(hook('agent-status', `?agent=${agent}&conversation=${callSid}`), {
        AccountSid: ACCOUNT, CallSid: legSid, ParentCallSid: callSid, CallStatus: status, Direction: 'outbound-dial',
        From: from, To: `client:${clientIdentity('demo', agent)}`, SequenceNumber: String(sequence), ...extra,
      }, { authToken: AUTH_TOKEN });
    },
    /** The caller gives up while `client`'s agent is offered the call: the agent is free again. */
    async callerLeavesWhileRinging(client, offer, callSid, from) {
      client.send({ type: 'ack_offer', offer: offer.offer });
      const rung = client.mark();
      assert.equal((await this.callerLeg(callSid, 'completed', 1, from)).status, 200);
      await client.waitFor((m) => m.type === 'status' && m.status.kind === 'available', 'available again', rung);
    },
  };
}

/** `agent` of `team` signed in to the demo tenant over a socket, available. */
export async function signInAgent(baseUrl, agent, team) {
  const { session } = await openSession(baseUrl, embedToken({ agent, team }));
  const client = await HubClient.connect(baseUrl, 'demo', session);
  assert.equal((await client.next('welcome')).status.kind, 'available');
  return client;
}

/** Signs the agents out (offline first, so that no call is routed to a socket in its grace). */
export async function signOutAgents(clients) {
  for (const client of clients) {
    const before = client.mark();
    client.send({ type: 'set_status', status: { kind: 'offline' } });
    await client.waitFor((m) => m.type === 'status' && m.status.kind === 'offline', 'signed out', before);
    await client.close();
  }
}

/** A receiver's check of `Tsunagu-Signature`, written from the README alone: HMAC-SHA256 of
 *  "<t>.<raw body>", hex, compared in constant time, `t` within the tolerance. */
export function verifyTsunaguSignature(secret, header, body, toleranceSecs = 300) {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=')));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSecs) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
