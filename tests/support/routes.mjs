//! The worker's route table, read from `worker/src/lib.rs`: every `METHOD path` it answers (prefix
//! routes end in `*`). The roles test and the OpenAPI test both check against it.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './paths.mjs';

/** `const NAME: &str = "…"` anywhere under `dir`. */
async function findConst(dir, name) {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.rs')) continue;
    const text = await readFile(path.join(entry.parentPath ?? entry.path, entry.name), 'utf8');
    const found = text.match(new RegExp(`const ${name}: &str = "([^"]*)";`));
    if (found) return found[1];
  }
  throw new Error(`no const ${name} under ${dir}`);
}

/** A path expression of the route table: a string literal, or a constant of a crate or module. */
async function resolvePath(expr) {
  const literal = expr.match(/^"([^"]*)"$/);
  if (literal) return literal[1];
  const parts = expr.split('::');
  const name = parts.at(-1);
  if (parts[0] === 'tsunagu_protocol') return findConst(path.join(ROOT, 'crates/tsunagu-protocol/src'), name);
  if (parts[0] === 'tsunagu_voice') return findConst(path.join(ROOT, 'crates/tsunagu-voice/src'), name);
  if (parts[0] === 'routes') return readConst(path.join(ROOT, 'worker/src/routes', `${parts[1]}.rs`), name);
  throw new Error(`cannot resolve route path ${expr}`);
}

/** Every `METHOD path` the route table in worker/src/lib.rs answers. */
export async function routeTable() {
  const source = await readFile(path.join(ROOT, 'worker/src/lib.rs'), 'utf8');
  const body = source.slice(source.indexOf('async fn route('));
  const keys = [];
  for (const arm of body.matchAll(/\(Method::(\w+),\s*([^)]+?)\)\s*(if\s[^=]*?)?\s*=>/g)) {
    const method = arm[1].toUpperCase();
    if (arm[3]) {
      // Only prefix guards can be read; any other guard must become one, or this test cannot
      // know which paths the arm answers.
      const prefix = arm[3].match(/^if\s+p\.starts_with\(([^)]+)\)\s*$/);
      if (!prefix) throw new Error(`a route guard this test cannot read: ${arm[3]}`);
      keys.push(`${method} ${await resolvePath(prefix[1].trim())}*`);
    } else {
      for (const alternative of arm[2].split('|')) keys.push(`${method} ${await resolvePath(alternative.trim())}`);
    }
  }
  return keys;
}

/** `const NAME: &str = "…"` in one file. */
async function readConst(file, name) {
  const text = await readFile(file, 'utf8');
  const found = text.match(new RegExp(`const ${name}: &str = "([^"]*)";`));
  if (!found) throw new Error(`no const ${name} in ${file}`);
  return found[1];
}
