//! Time-limited TURN credentials on workerd: minted per request from a secret that never leaves the worker, checkable as coturn's `use-auth-secret` checks them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startHarness } from '../support/harness.mjs';

const TURN_SECRET = 'a-turn-secret-shared-with-coturn-only-0123456789';
const URLS = ['turn:turn.example.net:3478?transport=udp', 'turns:turn.example.net:5349?transport=tcp'];
const TTL = 600;

let edge;
before(async () => {
  edge = await startHarness({
    vars: { WEBRTC_TURN_URLS: URLS.join(', '), WEBRTC_TURN_TTL_SECS: String(TTL) },
    secrets: { WEBRTC_TURN_SECRET: TURN_SECRET },
  });
});
after(async () => { await edge?.close(); });

/** What a TURN server with `use-auth-secret` checks: the password is the username's HMAC, and the username's time is still ahead. */
function turnServerAccepts({ username, credential }, nowSecs) {
  const expected = createHmac('sha1', TURN_SECRET).update(username).digest('base64');
  return credential === expected && Number(username.split(':')[0]) > nowSecs;
}

test('the ICE servers carry a TURN credential minted now, which a TURN server accepts, and never the secret', async () => {
  const before = Math.floor(Date.now() / 1000);
  const res = await fetch(new URL('/api/webcall/ice', edge.url));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const body = await res.text();
  assert.equal(body.includes(TURN_SECRET), false, 'the shared secret is not in the reply');
  const { ice_servers: servers } = JSON.parse(body);
  const turn = servers.find((s) => Array.isArray(s.urls) && s.urls.every((u) => u.startsWith('turn')));
  assert.deepEqual(turn.urls, URLS);
  const [expiry, identity] = turn.username.split(':');
  assert.equal(identity, 'tsunagu-webcall');
  assert.ok(Number(expiry) >= before + TTL && Number(expiry) <= Math.ceil(Date.now() / 1000) + TTL, `expires ${TTL} s from now: ${expiry}`);
  assert.ok(turnServerAccepts(turn, before), 'a TURN server sharing the secret accepts it');
  assert.equal(turnServerAccepts(turn, Number(expiry) + 1), false, 'and refuses it once it has expired');
  assert.equal(turnServerAccepts({ ...turn, username: `${Number(expiry) + 86_400}:tsunagu-webcall` }, before), false, 'a username with a later time of its own making is refused');
});

test('the customer call page embeds a freshly minted TURN credential, not the secret', async () => {
  const html = await (await fetch(new URL('/call/demo', edge.url))).text();
  assert.equal(html.includes(TURN_SECRET), false);
  const config = JSON.parse(html.match(/<script[^>]*type="application\/json"[^>]*>([^<]*)<\/script>/)[1]);
  const turn = config.ice_servers.find((s) => s.username);
  assert.ok(turnServerAccepts(turn, Math.floor(Date.now() / 1000)));
});
