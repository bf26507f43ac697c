//! A local stand-in for Cloudflare Turnstile's siteverify, for tests: answers as Cloudflare documents and records what it was asked.
//!
//! `POST /turnstile/v0/siteverify` with a JSON or form body of `secret`, `response` and optional
//! `remoteip`; the reply is `{"success": bool, "error-codes": [...]}`. A token passes when it is one
//! of `passing` and the secret is `secret`; each token passes once (Cloudflare's tokens are single-use).
//! A token in `oversized` passes too, but its reply is padded past 64 KiB and streamed in chunks
//! (no Content-Length): the worker must not read it whole.
import http from 'node:http';

export async function startSiteverify({ secret, passing = [], oversized = [] }) {
  const unused = new Set([...passing, ...oversized]);
  const requests = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      const type = req.headers['content-type'] ?? '';
      const body = type.startsWith('application/json') ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw));
      requests.push({ path: req.url, body });
      const errors = [];
      if (req.method !== 'POST' || req.url !== '/turnstile/v0/siteverify') errors.push('bad-request');
      if (!body.secret) errors.push('missing-input-secret');
      else if (body.secret !== secret) errors.push('invalid-input-secret');
      if (!body.response) errors.push('missing-input-response');
      else if (!unused.delete(body.response)) errors.push('invalid-input-response');
      res.writeHead(200, { 'content-type': 'application/json' });
      const verdict = JSON.stringify({ success: errors.length === 0, 'error-codes': errors });
      if (!oversized.includes(body.response)) {
        res.end(verdict);
        return;
      }
      res.write(`{"padding":"`);
      for (let i = 0; i < 80; i += 1) res.write('x'.repeat(1024));
      res.end(`",${verdict.slice(1)}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
