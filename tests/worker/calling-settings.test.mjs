//! The admin API's calling settings on workerd: the dial policy's tenant-set parts, direct dialling from the host page, the sign-in status and the wrap-up time — read with defaults, replaced whole, refused field by field, and in force for the next sign-in and the next call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { assertConforms } from '../support/openapi.mjs';

let edge;
before(async () => { edge = await startHarness(); });
after(async () => { await edge?.close(); });

async function session(agent, roles) {
  return (await openSession(edge.url, embedToken({ agent, team: 'sales', roles }))).session;
}

async function api(method, path, bearer, body) {
  const res = await fetch(new URL(path, edge.url), {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

test('an admin reads the calling settings with their defaults, replaces them, and the next sign-in and call follow them', async () => {
  const admin = await session('calling_admin', ['admin']);
  const before = await api('GET', '/api/admin/calling', admin);
  assert.equal(before.status, 200, before.text);
  assertConforms('CallingSettings', before.body);
  assert.deepEqual(before.body.dial_policy.allowed_countries, [], 'no country abroad by default');
  assert.equal(before.body.direct_dial_from_host, false);
  assert.equal(before.body.sign_in_status, 'available', JSON.stringify(before.body));

  const wanted = {
    ...before.body,
    dial_policy: { ...before.body.dial_policy, allowed_countries: [44], countries_for_supervisors_only: false, allowed_numbers: ['0570-000-111'] },
    sign_in_status: 'away',
    wrap_up_secs: 45,
  };
  try {
    const put = await api('PUT', '/api/admin/calling', admin, wanted);
    assert.equal(put.status, 200, put.text);
    assertConforms('CallingSettings', put.body);
    const stored = { ...wanted, dial_policy: { ...wanted.dial_policy, allowed_numbers: ['+81570000111'] } };
    assert.deepEqual(put.body, stored, 'numbers are stored in E.164');
    assert.deepEqual((await api('GET', '/api/admin/calling', admin)).body, stored, 'read back through the center');
    // The rest of the routing settings did not move.
    const routing = await api('GET', '/api/admin/routing', admin);
    assert.equal(routing.status, 200);

    // An agent who signs in now starts away.
    const agent = await HubClient.connect(edge.url, 'demo', await session('calling_agent', ['agent']));
    try {
      const welcome = await agent.next('welcome');
      assert.equal(welcome.status.kind, 'away', JSON.stringify(welcome));
    } finally {
      await agent.close();
    }

    // The dial policy is the one in force: a UK number passes the policy (and then fails for
    // another reason here: no Twilio), a US one is still refused.
    const caller = await session('calling_dialer', ['agent']);
    const us = await api('POST', '/api/calls', caller, { to: '+1 202 555 0143' });
    assert.equal(us.status, 403, us.text);
    assert.equal(us.body.error, 'dial_refused');
    const uk = await api('POST', '/api/calls', caller, { to: '+44 20 7946 0107' });
    assert.notEqual(uk.body?.error, 'dial_refused', uk.text);
  } finally {
    assert.equal((await api('PUT', '/api/admin/calling', admin, before.body)).status, 200, 'defaults restored');
  }
});

test('calling settings are refused field by field, in Japanese and English, and change nothing', async () => {
  const admin = await session('calling_admin2', ['admin']);
  const before = (await api('GET', '/api/admin/calling', admin)).body;
  const bad = await api('PUT', '/api/admin/calling', admin, {
    ...before,
    dial_policy: { ...before.dial_policy, allowed_countries: [81, 870, 44, 44] },
    sign_in_status: 'busy',
  });
  assert.equal(bad.status, 422, bad.text);
  assertConforms('Error', bad.body);
  assert.deepEqual(bad.body.fields.map((f) => `${f.field} ${f.code}`), [
    'dial_policy.allowed_countries[0] not_a_country',
    'dial_policy.allowed_countries[1] not_a_country',
    'dial_policy.allowed_countries[3] duplicate',
    'sign_in_status unknown_value',
  ]);
  for (const field of bad.body.fields) assert.ok(field.message.ja && field.message.en);
  assert.deepEqual((await api('GET', '/api/admin/calling', admin)).body, before, 'nothing changed');
  // Not an admin: refused before anything is read.
  const supervisor = await session('calling_supervisor', ['supervisor']);
  assert.equal((await api('PUT', '/api/admin/calling', supervisor, before)).status, 403);
});
