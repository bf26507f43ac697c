//! Abuse limits of the public "call us" page on workerd: off by default, a few sockets per address, a longest wait, unanswered web rings never send an agent away, the Turnstile challenge (local siteverify stand-in), and tenant ids the edge refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHarness } from '../support/harness.mjs';
import { setCenterSettings } from '../support/center-settings.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { startSiteverify } from '../support/turnstile.mjs';

const TURNSTILE_SECRET = 'turnstile-secret-of-the-guarded-tenant';
const EMBED = {
  TENANT_OFF_EMBED_SECRET: 'off-embed-secret-for-tests-only-0123456789',
  TENANT_SLOW_EMBED_SECRET: 'slow-embed-secret-for-tests-only-0123456789',
  TENANT_ACME_JP_EMBED_SECRET: 'acme-jp-embed-secret-for-tests-only-0123456789',
};

let edge;
let siteverify;
before(async () => {
  siteverify = await startSiteverify({ secret: TURNSTILE_SECRET, passing: ['good-token'], oversized: ['padded-token'] });
  edge = await startHarness({
    vars: { TURNSTILE_VERIFY_URL: siteverify.url },
    secrets: { ...EMBED, TENANT_GUARDED_TURNSTILE_SECRET: TURNSTILE_SECRET },
  });
  const tenant = async (id, settings) => {
    await edge.env.DB.prepare("INSERT INTO tenants (id, name_ja, name_en, allowed_origins) VALUES (?, 'テスト', 'Test', '')").bind(id).run();
    await setCenterSettings(edge.env.DB, id, settings);
  };
  // Written as before the setting existed: no `web_calls_enabled`.
  await tenant('off', { max_web_calls: 5 });
  await tenant('limits', { web_calls_enabled: true, max_web_calls: 10, max_web_calls_per_address: 2 });
  await tenant('slow', {
    web_calls_enabled: true,
    max_web_queue_wait: 1500,
    presence: { offer_ack_timeout: 1000, ring_no_answer: 1200 },
  });
  await tenant('guarded', { web_calls_enabled: true, turnstile_site_key: '1x00000000000000000000AA' });
  // A row an older build let in beside `acme-jp`: both named the secrets TENANT_ACME_JP_….
  await tenant('acme-jp', {});
  await tenant('acme_jp', {});
});
after(async () => { await edge?.close(); await siteverify?.close(); });

function socketUrl(tenant, extra = '', path = '/api/webcall/socket') {
  const url = new URL(`${path}?tenant=${tenant}${extra}`, edge.url);
  url.protocol = 'ws:';
  return url;
}

/** Opens a customer socket as the call page does, from `ip`; resolves { status, client }. */
function open(tenant, { ip, extra, path } = {}) {
  const headers = ip ? { 'CF-Connecting-IP': ip } : {};
  const ws = new WebSocket(socketUrl(tenant, extra, path), { origin: new URL(edge.url).origin, headers });
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ status: 101, client: new HubClient(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.once('error', () => {});
  });
}

async function started(tenant, options) {
  const { status, client, body } = await open(tenant, options);
  assert.equal(status, 101, `the socket opens: ${body}`);
  client.send({ type: 'start', protocol: 2 });
  const { conversation } = await client.next('started');
  return { client, conversation };
}

test('web calls are off unless the tenant turns them on: the page says so, the socket is refused', async () => {
  const html = await (await fetch(new URL('/call/off', edge.url))).text();
  const config = JSON.parse(html.match(/<script[^>]*id="webcall-config"[^>]*>([^<]*)<\/script>/)[1]);
  assert.equal(config.enabled, false, 'the page knows to say web calls are off');
  const script = await (await fetch(new URL('/webcall.js', edge.url))).text();
  assert.match(script, /ウェブからのお電話は受け付けておりません/);
  assert.match(script, /we do not take calls from the web/);

  const refused = await open('off');
  assert.equal(refused.status, 404);
  assert.equal(JSON.parse(refused.body).error, 'web_calls_off');

  const demo = JSON.parse((await (await fetch(new URL('/call/demo', edge.url))).text())
    .match(/<script[^>]*id="webcall-config"[^>]*>([^<]*)<\/script>/)[1]);
  assert.equal(demo.enabled, true, 'the demo tenant turns them on');
});

test('one address holds at most max_web_calls_per_address customer sockets; other addresses still get lines', async () => {
  const first = await started('limits', { ip: '203.0.113.7' });
  const second = await open('limits', { ip: '203.0.113.7' });
  assert.equal(second.status, 101, 'an idle second page from the same address is let in');
  const third = await open('limits', { ip: '203.0.113.7' });
  assert.equal(third.status, 429, `a third from the same address is refused: ${third.body}`);
  const other = await started('limits', { ip: '198.51.100.20' });

  first.client.send({ type: 'hang_up' });
  await first.client.next('ended');
  assert.equal(await first.client.closed, 4002);
  const again = await open('limits', { ip: '203.0.113.7' });
  assert.equal(again.status, 101, 'a line of the address freed when its call ended');

  for (const client of [second.client, again.client]) await client.close();
  other.client.send({ type: 'hang_up' });
  await other.client.next('ended');
});

test('an unanswered web ring leaves the agent available, and a call nobody answers ends after max_web_queue_wait', async () => {
  const { session } = await openSession(edge.url, embedToken({ tenant: 'slow', agent: 'sato', team: 'sales', secret: EMBED.TENANT_SLOW_EMBED_SECRET }));
  const sato = await HubClient.connect(edge.url, 'slow', session);
  await sato.next('welcome');

  const { client, conversation } = await started('slow', { ip: '192.0.2.1' });
  const offer = await sato.waitFor((m) => m.type === 'offer' && m.conversation === conversation, 'the web offer');
  const ringing = sato.mark();
  sato.send({ type: 'ack_offer', offer: offer.offer });
  await sato.waitFor((m) => m.type === 'offer_withdrawn', 'the ring running out', ringing, 5000);
  const after = await sato.waitFor((m) => m.type === 'status' && m.status.kind !== 'reserved', 'the status after the ring', ringing);
  assert.equal(after.status.kind, 'available', `the ring ran out unanswered, the agent stays available: ${JSON.stringify(after)}`);
  assert.deepEqual(await client.next('queued'), { type: 'queued', position: 1 });

  assert.deepEqual(await client.next('ended', 0, 5000), { type: 'ended', reason: 'wait_too_long' });
  assert.equal(await client.closed, 4002);
  const statuses = sato.messages.filter((m) => m.type === 'status').map((m) => m.status.kind);
  assert.deepEqual(statuses.filter((kind) => kind === 'away'), [], `never away: ${statuses}`);
  assert.equal(statuses.at(-1), 'available');
  await sato.close();
});

test('with a Turnstile site key the page loads the challenge and the socket needs a token siteverify passes', async () => {
  const res = await fetch(new URL('/call/guarded', edge.url));
  const html = await res.text();
  assert.match(html, /class="cf-turnstile" data-sitekey="1x00000000000000000000AA"/);
  assert.match(res.headers.get('content-security-policy'), /script-src 'self' https:\/\/challenges\.cloudflare\.com/);
  const plain = await fetch(new URL('/call/limits', edge.url));
  assert.doesNotMatch(await plain.text(), /challenges\.cloudflare\.com/, 'other tenants load no external script');
  assert.doesNotMatch(plain.headers.get('content-security-policy'), /challenges\.cloudflare\.com/);

  const without = await open('guarded', { ip: '203.0.113.50' });
  assert.equal(without.status, 403);
  assert.equal(JSON.parse(without.body).error, 'challenge_failed');
  const bad = await open('guarded', { ip: '203.0.113.50', extra: '&challenge=forged-token' });
  assert.equal(bad.status, 403, 'siteverify says no: refused');
  const asked = siteverify.requests.at(-1).body;
  assert.deepEqual(asked, { secret: TURNSTILE_SECRET, response: 'forged-token', remoteip: '203.0.113.50' });

  const { client } = await started('guarded', { ip: '203.0.113.50', extra: '&challenge=good-token' });
  client.send({ type: 'hang_up' });
  await client.next('ended');
  const replayed = await open('guarded', { ip: '203.0.113.50', extra: '&challenge=good-token' });
  assert.equal(replayed.status, 403, 'a token passes once');
});

test('a siteverify reply over 64 KiB is refused unread, even one that says success', async () => {
  const padded = await open('guarded', { ip: '203.0.113.51', extra: '&challenge=padded-token' });
  assert.equal(siteverify.requests.at(-1).body.response, 'padded-token', 'siteverify was asked');
  assert.equal(padded.status, 403, `refused: ${padded.body}`);
  assert.equal(JSON.parse(padded.body).error, 'challenge_failed');
});

test('tenant ids are [a-z0-9-]{1,63}: ACME-JP and acme_jp are refused at the edge', async () => {
  const session = (tenant) => fetch(new URL('/api/session', edge.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ embed_token: embedToken({ tenant, agent: 'sato', secret: EMBED.TENANT_ACME_JP_EMBED_SECRET }) }),
  });
  assert.equal((await session('acme-jp')).status, 200, 'acme-jp signs in with its own secret');
  for (const id of ['acme_jp', 'ACME-JP']) {
    assert.equal((await session(id)).status, 401, `${id} cannot borrow acme-jp's secret`);
  }
  for (const id of ['ACME-JP', 'acme_jp', 'Demo']) {
    assert.equal((await fetch(new URL(`/call/${id}`, edge.url))).status, 404, `/call/${id}`);
    assert.equal((await fetch(new URL(`/api/tenants/${id}`, edge.url))).status, 404, `/api/tenants/${id}`);
    const socket = await open(id);
    assert.equal(socket.status, 400, `webcall socket ?tenant=${id}`);
    assert.match(JSON.parse(socket.body).message, /invalid `tenant` parameter/);
  }
  const widget = await open('ACME-JP', { path: '/api/socket' });
  assert.equal(widget.status, 400, 'the widget socket too');
});
