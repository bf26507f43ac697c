//! The committed OpenAPI document, and a check of a reply against one of its schemas (ajv, JSON
//! Schema 2020-12 as OpenAPI 3.1 uses it).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { ROOT } from './paths.mjs';

export const OPENAPI_FILE = path.join(ROOT, 'worker', 'openapi.json');
export const OPENAPI = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));

// The document is not itself a schema (openapi, paths, …), hence strict off; only its
// components are used as schemas.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ ...OPENAPI, $id: 'openapi' });

/** Throws unless `value` matches `#/components/schemas/<name>` of the document. */
export function assertConforms(name, value) {
  const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the OpenAPI document`);
  if (!validate(value)) {
    throw new Error(`reply does not match ${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`);
  }
}
