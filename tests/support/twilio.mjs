//! Twilio's side of a webhook, for tests: signs requests exactly as Twilio does and records REST calls.
//!
//! Independent of the Rust code on purpose: the signature here follows Twilio's documented algorithm
//! (and the official libraries' vectors, checked below in twilio-support.test.mjs), so a bug in the
//! worker's validator cannot hide behind the same bug in the test.
import { createHmac } from 'node:crypto';
import http from 'node:http';

/** base64(HMAC-SHA1(authToken, url + sorted unique names, each with its sorted unique values)). */
export function twilioSignature(authToken, url, params = {}) {
  let data = url;
  for (const name of [...new Set(Object.keys(params))].sort()) {
    const raw = params[name];
    const values = [...new Set(Array.isArray(raw) ? raw : [raw])].sort();
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Form-encodes params (arrays become repeated keys), as Twilio posts them. */
export function formBody(params) {
  const body = new URLSearchParams();
  for (const [name, raw] of Object.entries(params)) {
    for (const value of Array.isArray(raw) ? raw : [raw]) body.append(name, value);
  }
  return body.toString();
}

/**
 * POSTs a signed Twilio webhook. `sign` may override the signature (forgeries), `signedParams`
 * the parameters that were signed (replays with changed parameters).
 */
export async function postWebhook(url, params, { authToken, signature, signedParams, idempotencyToken } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const sig = signature ?? (authToken ? twilioSignature(authToken, url, signedParams ?? params) : undefined);
  if (sig !== undefined) headers['x-twilio-signature'] = sig;
  if (idempotencyToken) headers['i-twilio-idempotency-token'] = idempotencyToken;
  return fetch(url, { method: 'POST', headers, body: formBody(params) });
}

/** The standard parameters of an inbound call's first webhook (twilio.md §4.1). */
export function inboundCallParams({ callSid, from, to, accountSid, status = 'ringing' }) {
  return {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: status,
    Called: to,
    Caller: from,
    Direction: 'inbound',
    From: from,
    FromCountry: 'JP',
    To: to,
    ToCountry: 'JP',
  };
}

/** A CallSid-shaped id ("CA" + 32 hex) unique within a test run. */
let sidCounter = 0;
/**
 * An agent's Twilio client identity, as `tsunagu_core::ClientIdentity` writes it: the tenant
 * (each `-` as `X`), `_`, the agent. Twilio rings every client of an account with an identity,
 * so the tenant keeps two tenants on one account apart.
 */
export function clientIdentity(tenant, agent) {
  return `${tenant.replaceAll('-', 'X')}_${agent}`;
}

export function sid(prefix = 'CA') {
  sidCounter += 1;
  const hex = (Date.now().toString(16) + sidCounter.toString(16).padStart(8, '0')).padStart(32, '0');
  return prefix + hex.slice(-32);
}

/**
 * A stand-in for Twilio's REST API that records every request (method, path, form, auth) and answers
 * like Twilio does for call updates. The real double (issue 6) replaces it in end-to-end tests.
 */
export async function startRestRecorder() {
  const requests = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const entry = {
        method: req.method,
        path: req.url,
        authorization: req.headers.authorization ?? null,
        form: Object.fromEntries(new URLSearchParams(body)),
      };
      requests.push(entry);
      for (const waiter of waiters.splice(0)) waiter();
      // A call update names its call; a created call (`POST …/Calls.json`) gets a fresh one.
      const created = req.method === 'POST' && /\/Calls\.json$/.test(req.url);
      const callSid = req.url.match(/Calls\/(CA[0-9a-f]{32})\.json/)?.[1] ?? (created ? sid() : null);
      entry.sid = callSid;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: callSid, status: 'in-progress' }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Resolves with the first recorded request matching `pred`, waiting up to `ms`. */
    async waitFor(pred, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = requests.find(pred);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching REST request; saw ${JSON.stringify(requests)}`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, Math.min(left, 200)); });
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
