//! Presence fans out by team: an agent's socket hears its team, a supervisor's the teams it watches, the transfer list widens a socket to the whole tenant until it closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

let edge;
before(async () => {
  edge = await startHarness();
});
after(async () => {
  await edge?.close();
});

async function signIn(agent, team, roles) {
  const { session } = await openSession(edge.url, embedToken({ agent, team, roles }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  const welcome = await client.next('welcome');
  return { client, welcome };
}

const names = (agents) => agents.map((a) => a.agent).sort();
const rostersSince = (client, since) => client.messages.slice(since).filter((m) => m.type === 'roster');

test('an agent hears their team only, a supervisor their teams, and the transfer list widens to everyone until it closes', async () => {
  const sato = await signIn('sato', 'sales');
  const watanabe = await signIn('watanabe', 'support');
  const supervisor = await signIn('kobayashi', 'support', ['agent', 'supervisor']);
  const admin = await signIn('yamamoto', 'sales', ['agent', 'admin']);
  try {
    // A welcome carries the agent's own team (as signed in so far), not the tenant.
    assert.deepEqual(names(watanabe.welcome.roster), ['watanabe']);
    assert.deepEqual(names(supervisor.welcome.roster), ['kobayashi', 'watanabe']);
    assert.deepEqual(names(admin.welcome.roster), ['kobayashi', 'sato', 'watanabe', 'yamamoto']);

    // sato (sales) changes: sales and the admin hear it; support's agent and supervisor do not.
    const marks = [sato, watanabe, supervisor, admin].map((s) => s.client.mark());
    sato.client.send({ type: 'set_status', status: { kind: 'away', reason: 'lunch' } });
    await admin.client.rosterWith('sato', 'away', marks[3]);
    // Then support changes, so a later roster proves the earlier one was not just late.
    watanabe.client.send({ type: 'set_status', status: { kind: 'away', reason: 'break' } });
    await supervisor.client.rosterWith('watanabe', 'away', marks[2]);
    await watanabe.client.rosterWith('watanabe', 'away', marks[1]);
    for (const [who, since] of [[watanabe, marks[1]], [supervisor, marks[2]]]) {
      const heard = rostersSince(who.client, since).flatMap((m) => m.agents.map((a) => a.agent));
      assert.ok(!heard.includes('sato'), `support heard sales: ${heard}`);
    }

    // The transfer list opens: watanabe hears everyone, starting with a full roster.
    let mark = watanabe.client.mark();
    watanabe.client.send({ type: 'watch_roster', everyone: true });
    const full = await watanabe.client.waitFor((m) => m.type === 'roster' && m.full, 'a full roster', mark);
    assert.deepEqual(names(full.agents), ['kobayashi', 'sato', 'watanabe', 'yamamoto']);
    assert.equal(full.agents.find((a) => a.agent === 'sato').status.kind, 'away');
    mark = watanabe.client.mark();
    sato.client.send({ type: 'set_status', status: { kind: 'available' } });
    await watanabe.client.rosterWith('sato', 'available', mark);

    // Closed again: back to the team, in full, and sales is quiet for watanabe once more.
    mark = watanabe.client.mark();
    watanabe.client.send({ type: 'watch_roster', everyone: false });
    const narrowed = await watanabe.client.waitFor((m) => m.type === 'roster' && m.full, 'a full team roster', mark);
    assert.deepEqual(names(narrowed.agents), ['kobayashi', 'watanabe']);
    mark = watanabe.client.mark();
    sato.client.send({ type: 'set_status', status: { kind: 'away', reason: 'meeting' } });
    await admin.client.rosterWith('sato', 'away', 0);
    supervisor.client.send({ type: 'set_status', status: { kind: 'away', reason: 'training' } });
    await watanabe.client.rosterWith('kobayashi', 'away', mark);
    const heard = rostersSince(watanabe.client, mark).flatMap((m) => m.agents.map((a) => a.agent));
    assert.ok(!heard.includes('sato'), `narrowed socket still hears sales: ${heard}`);
  } finally {
    for (const s of [sato, watanabe, supervisor, admin]) await s.client.close();
  }
});
