//! An in-process workerd (wrangler's test harness) with migrated, seeded D1: fresh storage per call.
import { readFile } from 'node:fs/promises';
import { createTestHarness, unstable_splitSqlQuery as splitSqlQuery } from 'wrangler';
import { ROOT, SEED_SQL } from './paths.mjs';

process.env.WRANGLER_SEND_METRICS ??= 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';

/**
 * Starts the built worker (run `cargo xtask build` first) and returns { url, worker, env, close }.
 * `vars` and `secrets` override wrangler.toml and .dev.vars (e.g. TWILIO_API_BASE); `configPath`
 * (relative to the repository) replaces wrangler.toml, e.g. with fewer migrations.
 */
export async function startHarness({ seed = true, vars, secrets, configPath = './wrangler.toml' } = {}) {
  const server = createTestHarness({ root: ROOT, workers: [{ configPath, vars, secrets }] });
  const { url } = await server.listen();
  const worker = server.getWorker();
  await worker.applyD1Migrations('DB');
  const env = await worker.getEnv();
  if (seed) {
    const statements = splitSqlQuery(await readFile(SEED_SQL, 'utf8'));
    await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));
  }
  return { url, worker, env, close: () => server.close() };
}
