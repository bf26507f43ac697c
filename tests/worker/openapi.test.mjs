//! The OpenAPI 3.1 document: valid by a real validator, served as committed, and covering exactly
//! the `/api` routes of the worker's route table (a route added without documenting it fails here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startHarness } from '../support/harness.mjs';
import { routeTable } from '../support/routes.mjs';
import { OPENAPI } from '../support/openapi.mjs';

let edge;
before(async () => { edge = await startHarness({ seed: false }); });
after(async () => { await edge?.close(); });

test('the document is valid OpenAPI 3.1', async () => {
  assert.equal(OPENAPI.openapi, '3.1.0');
  const result = await new Validator().validate(structuredClone(OPENAPI));
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
});

test('a broken document is refused by the same validator (the check can fail)', async () => {
  const broken = structuredClone(OPENAPI);
  broken.paths['/api/admin/teams'].get.responses = 'none';
  const result = await new Validator().validate(broken);
  assert.equal(result.valid, false);
});

test('GET /api/openapi.json serves the committed document, without a session', async () => {
  const res = await fetch(new URL('/api/openapi.json', edge.url));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  assert.deepEqual(await res.json(), OPENAPI);
});

/** `METHOD /path` keys of the document, templated segments as the route table's prefix `*`. */
function documentedRoutes() {
  const keys = [];
  for (const [route, item] of Object.entries(OPENAPI.paths)) {
    const brace = route.indexOf('{');
    const key = brace < 0 ? route : `${route.slice(0, brace)}*`;
    for (const method of Object.keys(item)) {
      if (['get', 'put', 'post', 'delete', 'patch'].includes(method)) keys.push(`${method.toUpperCase()} ${key}`);
    }
  }
  return keys.sort();
}

test('the document and the route table name the same /api routes', async () => {
  const table = (await routeTable()).filter((key) => key.split(' ')[1].startsWith('/api/')).sort();
  assert.ok(table.length >= 25, `parsed the route table: ${table.join(', ')}`);
  const documented = documentedRoutes();
  assert.deepEqual(table.filter((key) => !documented.includes(key)), [], 'routes the document lacks');
  assert.deepEqual(documented.filter((key) => !table.includes(key)), [], 'documented routes the worker does not have');
});
