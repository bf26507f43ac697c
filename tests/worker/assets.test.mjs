//! The widget's files on workerd: the hashed /assets/* straight from the asset server with the headers of web/_headers, everything else of build/site only through the worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../support/paths.mjs';
import { startHarness } from '../support/harness.mjs';

const ASSETS = path.join(ROOT, 'build', 'site', 'assets');
/** What each kind of hashed file must be served as (a wasm served otherwise cannot stream-compile). */
const CONTENT_TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

let edge;
before(async () => { edge = await startHarness(); });
after(async () => { await edge?.close(); });

test('every hashed file is served whole with its type, a year\'s immutable cache and nosniff', async () => {
  const names = (await readdir(ASSETS, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(ASSETS, path.join(entry.parentPath ?? entry.path, entry.name)));
  assert.ok(names.some((name) => name.endsWith('.wasm')) && names.some((name) => name.startsWith('boot.')), `a built site: ${names}`);
  for (const name of names) {
    const res = await fetch(new URL(`/assets/${name}`, edge.url));
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), CONTENT_TYPES[path.extname(name)], name);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', name);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), await readFile(path.join(ASSETS, name)), name);
  }
});

test('the hashed files skip the worker: the asset server answers them, revalidation included', async () => {
  const html = await (await fetch(new URL('/widget?tenant=demo', edge.url))).text();
  const wasm = html.match(/\/assets\/tsunagu_widget_bg\.[0-9a-f]{12}\.wasm/)?.[0];
  assert.ok(wasm, 'the widget page names its wasm');
  const first = await fetch(new URL(wasm, edge.url));
  await first.arrayBuffer();
  // The worker never set an ETag; the asset server does, and answers a matching revalidation.
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]+"$/);
  const again = await fetch(new URL(wasm, edge.url), { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const missing = await fetch(new URL('/assets/none.000000000000.js', edge.url));
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), '', 'a missing hashed file says nothing');
});

test('the rest of the build is reached only through the worker: no raw page, version file or _headers', async () => {
  const page = await fetch(new URL('/widget?tenant=demo', edge.url));
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.doesNotMatch(await page.text(), /\{\{BOOT_CONFIG\}\}/, 'the worker filled the page in');
  for (const raw of ['/widget.html', '/version.json', '/_headers', '/assets', '/assets/']) {
    const res = await fetch(new URL(raw, edge.url));
    assert.equal(res.status, 404, raw);
    const body = await res.text();
    assert.doesNotMatch(body, /BOOT_CONFIG|Cache-Control|"version"/, `${raw} is not the build's file`);
  }
  const version = await fetch(new URL('/widget/version', edge.url));
  assert.equal(version.headers.get('cache-control'), 'no-store');
  assert.equal(version.headers.get('x-content-type-options'), 'nosniff');
});
