//! Two tenants on one Twilio account: each agent's client identity names its tenant, so a call for
//! one tenant's `sato` never rings the other tenant's `sato` (Twilio rings every client of the
//! account that registered with the identity a `<Dial><Client>` names).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid } from '../support/twilio.mjs';

const ACCOUNT = 'AC00000000000000000000000000000d30'; // the demo tenant's account, shared
const ACME = {
  EMBED: 'acme-embed-secret-for-tests-only-0123456789',
  AUTH_TOKEN: 'acme-auth-token-for-tests-only-0123456789',
  API_KEY_SECRET: 'acme-api-key-secret-for-tests-only-012345',
};
const ACME_LINE = '+815099990000';
const DEMO_LINE = '+815012345678';
const CALLER = '+819011112222'; // a number neither tenant knows

let edge;
const sockets = [];
before(async () => {
  edge = await startHarness({
    secrets: {
      TENANT_ACME_JP_EMBED_SECRET: ACME.EMBED,
      TENANT_ACME_JP_TWILIO_AUTH_TOKEN: ACME.AUTH_TOKEN,
      TENANT_ACME_JP_TWILIO_API_KEY_SECRET: ACME.API_KEY_SECRET,
    },
  });
  const demo = await edge.env.DB.prepare("SELECT twilio_account_sid, twilio_api_key_sid FROM tenants WHERE id = 'demo'").first();
  assert.equal(demo.twilio_account_sid, ACCOUNT);
  await edge.env.DB.batch([
    edge.env.DB.prepare(
      "INSERT INTO tenants (id, name_ja, name_en, allowed_origins, twilio_account_sid, twilio_api_key_sid) VALUES ('acme-jp', 'アクメ', 'Acme', '', ?, ?)",
    ).bind(demo.twilio_account_sid, demo.twilio_api_key_sid),
    edge.env.DB.prepare("INSERT INTO phone_lines (e164, tenant_id, kind) VALUES (?, 'acme-jp', 'main')").bind(ACME_LINE),
  ]);
});
after(async () => {
  for (const socket of sockets) await socket.close();
  await edge?.close();
});

async function signIn(tenant, agent, team) {
  const secret = tenant === 'acme-jp' ? ACME.EMBED : undefined;
  const { session } = await openSession(edge.url, embedToken({ tenant, agent, team, ...(secret && { secret }) }));
  const client = await HubClient.connect(edge.url, tenant, session);
  const welcome = await client.next('welcome');
  if (welcome.status.kind !== 'available') {
    client.send({ type: 'set_status', status: { kind: 'available' } });
    await client.next('status');
  }
  sockets.push(client);
  return { session, client };
}

async function voiceIdentity(session) {
  const res = await fetch(new URL('/api/token', edge.url), { method: 'POST', headers: { authorization: `Bearer ${session}` } });
  assert.equal(res.status, 200);
  const reply = await res.json();
  const claims = JSON.parse(Buffer.from(reply.token.split('.')[1], 'base64url'));
  assert.equal(claims.grants.identity, reply.identity, 'the reply names the identity the token carries');
  return reply.identity;
}

async function ring(tenant, line, authToken) {
  const callSid = sid();
  const params = inboundCallParams({ callSid, from: CALLER, to: line, accountSid: ACCOUNT });
  const res = await postWebhook(new URL(`/twilio/voice/${tenant}/incoming`, edge.url).href, params, { authToken });
  assert.equal(res.status, 200);
  return [...(await res.text()).matchAll(/<Identity>([^<]*)<\/Identity>/g)].map((m) => m[1]);
}

test('the same agent id in two tenants on one Twilio account gets two identities, and each tenant\'s call rings only its own', async () => {
  const demo = await signIn('demo', 'sato', 'sales');
  const acme = await signIn('acme-jp', 'sato', 'sales');

  const demoIdentity = await voiceIdentity(demo.session);
  const acmeIdentity = await voiceIdentity(acme.session);
  assert.equal(demoIdentity, 'demo_sato');
  assert.equal(acmeIdentity, 'acmeXjp_sato');

  assert.deepEqual(await ring('acme-jp', ACME_LINE, ACME.AUTH_TOKEN), ['acmeXjp_sato'], 'acme\'s call rings acme\'s sato only');
  const offer = await acme.client.next('offer');
  assert.equal(offer.screen_pop.caller_number, CALLER);
  assert.deepEqual(await ring('demo', DEMO_LINE, DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN), ['demo_sato'], 'demo\'s call rings demo\'s sato only');
});
