//! A stand-in third-party CRM: a tiny HTTP server on its own origin whose page embeds the widget.
import http from 'node:http';

/** Serves `html(workerUrl)` at `/` on `host` (default 127.0.0.1, any free port), embedding the
 * widget of `tenant`. Returns { url, close }. */
export async function startHostPage(workerUrl, { host = '127.0.0.1', extraHead = '', extraBody = '', scriptAttrs = '', tenant = 'demo' } = {}) {
  const page = `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>Other CRM</title>
<style>iframe { display: none !important; } * { font-size: 9px !important; }</style>${extraHead}</head>
<body><h1>他社CRM</h1><p id="host-marker">host page</p>${extraBody}
<script src="${new URL('/embed.js', workerUrl)}" data-tenant="${tenant}" ${scriptAttrs} async></script></body></html>`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  const { port } = server.address();
  return { url: `http://${host}:${port}/`, close: () => new Promise((r) => server.close(r)) };
}
