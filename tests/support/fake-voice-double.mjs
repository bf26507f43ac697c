//! A stand-in for the Twilio test double's `<Client>` WebSocket, speaking its documented protocol, for widget tests.
//
// Server → client: {type:'registered', identity} once connected, {type:'incoming', call_sid, parent_call_sid, from, parameters}, {type:'cancelled'|'ended', call_sid}.
// Client → server: {type:'accept'|'reject'|'hangup', call_sid}, {type:'dtmf', call_sid, digits}.
import { WebSocketServer } from 'ws';

/** The Access Token's `grants.identity`, or null when the token is not a readable JWT. */
function identityOf(token) {
  try {
    return JSON.parse(Buffer.from(String(token).split('.')[1], 'base64url')).grants?.identity ?? null;
  } catch {
    return null;
  }
}

/** Returns { url, clients, received, ring(call), end(callSid), waitFor(pred), close }. */
export async function startFakeVoiceDouble() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/client' });
  await new Promise((resolve) => server.once('listening', resolve));
  const clients = []; // { socket, token }
  const received = [];
  server.on('connection', (socket, req) => {
    const token = new URL(req.url, 'http://x').searchParams.get('token');
    clients.push({ socket, token });
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    // As the real double: the line is usable once this arrives, not when the socket opens.
    socket.send(JSON.stringify({ type: 'registered', identity: identityOf(token) }));
  });
  const send = (message) => clients.forEach(({ socket }) => socket.send(JSON.stringify(message)));
  return {
    url: `ws://127.0.0.1:${server.address().port}/client`,
    clients,
    received,
    ring: (call) => send({ type: 'incoming', ...call }),
    end: (callSid) => send({ type: 'ended', call_sid: callSid }),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`the double never got it; got ${JSON.stringify(received)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise((resolve) => { clients.forEach(({ socket }) => socket.terminate()); server.close(resolve); }),
  };
}
