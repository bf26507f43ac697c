//! Paths shared by the Node tests: the repository root and the built worker.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WRANGLER_JS = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
export const SEED_SQL = path.join(ROOT, 'worker', 'seed', 'demo.sql');
