//! An agent signed in as a live widget is, for workerd stories with the Twilio double: a hub socket
//! that acknowledges every offer and a registered softphone that rings without answering.
import { embedToken, openSession } from './auth.mjs';
import { HubClient } from './socket.mjs';
import { clientIdentity } from './twilio.mjs';

/**
 * Signs `agent` (of `team`) in on `edge` with a widget socket and a softphone on `double`.
 * Returns `{ client, session, agent }`; `signOff` on it unregisters both.
 */
export async function agentOnline(edge, double, agent, team) {
  const { session } = await openSession(edge.url, embedToken({ agent, team }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  client.ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'offer') client.send({ type: 'ack_offer', offer: message.offer });
  });
  await client.next('welcome');
  await double.registerClient(clientIdentity('demo', agent), {});
  return {
    client,
    session,
    agent,
    async signOff() {
      client.send({ type: 'set_status', status: { kind: 'offline' } });
      await client.close();
      await double.unregisterClient(clientIdentity('demo', agent)).catch(() => {});
    },
  };
}
