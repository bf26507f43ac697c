//! Time-limited TURN credentials on workerd: only for a started web call or a signed-in agent, named after the call, living no longer than the call may, checkable as coturn's `use-auth-secret` checks them, never the secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

const TURN_SECRET = 'a-turn-secret-shared-with-coturn-only-0123456789';
const URLS = ['turn:turn.example.net:3478?transport=udp', 'turns:turn.example.net:5349?transport=tcp'];
/** The cap (WEBRTC_TURN_TTL_SECS) is longer than a demo call may last: the call's lifetime wins. */
const CAP = 86_400;
/** The demo tenant's defaults: 5 min in the queue at most, then 1 h of talk. */
const CALL_LIFETIME = 5 * 60 + 60 * 60;

let edge;
before(async () => {
  edge = await startHarness({
    vars: { WEBRTC_TURN_URLS: URLS.join(', '), WEBRTC_TURN_TTL_SECS: String(CAP) },
    secrets: { WEBRTC_TURN_SECRET: TURN_SECRET },
  });
});
after(async () => { await edge?.close(); });

/** What a TURN server with `use-auth-secret` checks: the password is the username's HMAC, and the username's time is still ahead. */
function turnServerAccepts({ username, credential }, nowSecs) {
  const expected = createHmac('sha1', TURN_SECRET).update(username).digest('base64');
  return credential === expected && Number(username.split(':')[0]) > nowSecs;
}

const turnOf = (servers) => servers.find((s) => Array.isArray(s.urls) && s.urls.every((u) => u.startsWith('turn')));

/** Checks a minted credential: for `call`, expiring within the call's lifetime from now, accepted now, refused after. */
function checkCredential(turn, call, before) {
  assert.deepEqual(turn.urls, URLS);
  const [expiry, identity] = turn.username.split(':');
  assert.equal(identity, call, 'the username names the call');
  assert.ok(Number(expiry) >= before + CALL_LIFETIME && Number(expiry) <= Math.ceil(Date.now() / 1000) + CALL_LIFETIME,
    `expires when the call can last no longer (${CALL_LIFETIME} s), not after the ${CAP} s cap: ${expiry}`);
  assert.ok(turnServerAccepts(turn, before), 'a TURN server sharing the secret accepts it');
  assert.equal(turnServerAccepts(turn, Number(expiry) + 1), false, 'and refuses it once it has expired');
  assert.equal(turnServerAccepts({ ...turn, username: `${Number(expiry) + 86_400}:${call}` }, before), false,
    'a username with a later time of its own making is refused');
}

test('nobody gets TURN credentials without a session: /api/webcall/ice answers 401, the page embeds none', async () => {
  const res = await fetch(new URL('/api/webcall/ice?conversation=WC01010101010101010101010101010101', edge.url));
  assert.equal(res.status, 401);
  assert.equal((await res.text()).includes('turn:'), false);
  const html = await (await fetch(new URL('/call/demo', edge.url))).text();
  assert.equal(html.includes(TURN_SECRET), false);
  const config = JSON.parse(html.match(/<script[^>]*type="application\/json"[^>]*>([^<]*)<\/script>/)[1]);
  assert.equal(config.ice_servers.some((s) => s.username || s.credential), false, 'the public page holds no credential');
});

test('a started web call gets TURN credentials named after it, living as long as the call may', async () => {
  const before = Math.floor(Date.now() / 1000);
  const url = new URL('/api/webcall/socket?tenant=demo', edge.url);
  url.protocol = 'ws:';
  const caller = new HubClient(new WebSocket(url, { origin: new URL(edge.url).origin }));
  await new Promise((resolve, reject) => { caller.ws.once('open', resolve); caller.ws.once('error', reject); });
  caller.send({ type: 'start', protocol: 2 });
  const { conversation } = await caller.next('started');
  const { ice_servers: servers } = await caller.next('ice_servers');
  assert.equal(JSON.stringify(servers).includes(TURN_SECRET), false);
  checkCredential(turnOf(servers), conversation, before);
  caller.send({ type: 'hang_up' });
  await caller.next('ended');
});

test('a signed-in agent gets TURN credentials for the web call it answers, and never the secret', async () => {
  const before = Math.floor(Date.now() / 1000);
  const { session } = await openSession(edge.url, embedToken({ agent: 'sato' }));
  const call = 'WC0a0b0c0d0e0f00112233445566778899';
  const res = await fetch(new URL(`/api/webcall/ice?conversation=${call}`, edge.url), { headers: { authorization: `Bearer ${session}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const body = await res.text();
  assert.equal(body.includes(TURN_SECRET), false, 'the shared secret is not in the reply');
  checkCredential(turnOf(JSON.parse(body).ice_servers), call, before);
  const without = await fetch(new URL('/api/webcall/ice', edge.url), { headers: { authorization: `Bearer ${session}` } });
  assert.equal(without.status, 400, 'only for a web call');
});
