//! Embed tokens as a CRM backend signs them (HS256 JWT), and the development secrets from .dev.vars.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.mjs';

/** The development secrets (.dev.vars), the same ones wrangler dev and the harness load. */
export const DEV_VARS = Object.fromEntries(
  readFileSync(path.join(ROOT, '.dev.vars'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => {
      const [name, ...rest] = line.split('=');
      return [name, rest.join('=').replace(/^"|"$/g, '')];
    }),
);

const b64url = (data) => Buffer.from(data).toString('base64url');

/** Signs a JWT with HS256 exactly as any JWT library would. */
export function signJwt(claims, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** An embed token for `agent` of `tenant`, valid for `ttl` seconds from `now` (unix seconds), with
 * a fresh `jti` unless one is given (each embed token opens one session only). */
export function embedToken({
  tenant = 'demo', agent, name = agent, team, roles = ['agent'],
  now = Math.floor(Date.now() / 1000), ttl = 300, jti = randomUUID(),
  secret = DEV_VARS[`TENANT_${tenant.toUpperCase().replace(/-/g, '_')}_EMBED_SECRET`],
}) {
  const claims = { iss: tenant, aud: 'tsunagu-embed', sub: agent, name, roles, jti, iat: now, exp: now + ttl };
  if (team) claims.team = team;
  return signJwt(claims, secret);
}

/** An admin's embed token: reads the tenant's whole call log (tests that check what was logged). */
export function logReaderToken(tenant = 'demo') {
  return embedToken({ tenant, agent: 'log_reader', name: 'Log reader', roles: ['admin'] });
}

/** Exchanges an embed token for a widget session; returns the parsed JSON reply (throws on non-200). */
export async function openSession(baseUrl, token) {
  const response = await fetch(new URL('/api/session', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ embed_token: token }),
  });
  if (response.status !== 200) throw new Error(`session refused: ${response.status} ${await response.text()}`);
  return response.json();
}
