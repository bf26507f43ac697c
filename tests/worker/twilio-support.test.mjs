//! The test-side Twilio signer agrees with the official libraries' vectors, so worker tests that use it
//! test the worker, not a shared misunderstanding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/paths.mjs';
import { twilioSignature } from '../support/twilio.mjs';

const vectors = JSON.parse(readFileSync(path.join(ROOT, 'tests', 'fixtures', 'twilio-vectors.json'), 'utf8'));

test('test signer reproduces every form-encoded signature vector', () => {
  const formVectors = vectors.signatures.filter((v) => !v.raw_body);
  assert.ok(formVectors.length >= 3, 'fixture has form vectors');
  for (const v of formVectors) {
    const url = v.url ?? v.url_signed;
    assert.equal(twilioSignature(v.auth_token, url, v.params), v.expected_signature, v.name);
  }
});
