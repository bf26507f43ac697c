//! Runs the worker exactly as `cargo xtask run` does: D1 migrations and seed applied by wrangler, then
//! `wrangler dev` on a free port, with its own persisted state so tests never touch the developer's.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, SEED_SQL, WRANGLER_JS } from './paths.mjs';

const run = promisify(execFile);
const ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
};

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once `port` can be bound again: wrangler exits before its workerd has let go of the
 * port, and a restart that binds it too early fails with "Address already in use" (seen in CI).
 */
async function portReleased(port) {
  for (let attempt = 0; ; attempt += 1) {
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return;
    if (attempt >= 300) throw new Error(`port ${port} still in use 30 s after wrangler stopped`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function wrangler(args, persistDir) {
  return run(process.execPath, [WRANGLER_JS, ...args, '--persist-to', persistDir], { cwd: ROOT, env: ENV });
}

/** Runs SQL on the local D1 in `persistDir`; resolves with the result rows of the last statement. */
async function d1(sql, persistDir) {
  const { stdout } = await wrangler(['d1', 'execute', 'tsunagu', '--local', '--json', '--command', sql], persistDir);
  const results = JSON.parse(stdout);
  return results.at(-1)?.results ?? [];
}

/**
 * Returns { url, output, restart, d1, stop }. `vars` become `--var NAME:VALUE`; `sql` (optional)
 * runs on D1 after the seed, before the worker starts (e.g. a tenant's settings for a test file).
 * `d1(sql)` runs SQL on the same local database while the worker runs (the worker reads tenant
 * settings per request, so an UPDATE takes effect on the next one) and resolves with its rows.
 * `restart({ whileStopped })` stops wrangler and starts it again on the same port with the same persisted state (D1, Durable
 * Objects), as a deploy or a crash would. `stop()` sends SIGTERM to wrangler itself (never
 * through npx) and removes the state.
 */
export async function startWranglerDev({ vars = {}, sql } = {}) {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), 'tsunagu-dev-'));
  await wrangler(['d1', 'migrations', 'apply', 'tsunagu', '--local'], persistDir);
  await wrangler(['d1', 'execute', 'tsunagu', '--local', '--file', SEED_SQL], persistDir);
  if (sql) await d1(sql, persistDir);
  const port = await freePort();
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  let instance = await launch(port, persistDir, varArgs);
  return {
    get url() { return instance.url; },
    /** The inspector (Chrome DevTools protocol) of the worker's isolate, e.g. for a CPU profile. */
    get inspectorPort() { return instance.inspectorPort; },
    /** The worker's own address past wrangler's proxy (see `userWorkerUrl`); resolves per life. */
    directUrl: () => instance.directUrl(),
    output: () => instance.output(),
    d1: (statement) => d1(statement, persistDir),
    /** The directory holding D1's and the Durable Objects' local state. */
    persistDir,
    /** `whileStopped()` (optional) runs between stop and start, e.g. to edit the persisted state. */
    async restart({ whileStopped } = {}) {
      await instance.stop();
      if (whileStopped) await whileStopped(persistDir);
      await portReleased(port);
      instance = await launch(port, persistDir, varArgs);
    },
    async stop() {
      await instance.stop();
      await rm(persistDir, { recursive: true, force: true });
    },
  };
}

async function launch(port, persistDir, varArgs) {
  const inspectorPort = await freePort();
  const child = spawn(
    process.execPath,
    [WRANGLER_JS, 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
      '--show-interactive-dev-session=false', '--persist-to', persistDir, ...varArgs],
    { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev not ready after 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/Ready on (http:\/\/[^\s]+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`wrangler dev exited (${code}):\n${output}`)); });
  });
  let direct;
  return {
    url,
    inspectorPort,
    output: () => output,
    directUrl: () => { direct ??= userWorkerUrl(child.pid); return direct; },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * The address of the worker's own workerd inside `wrangler dev`, past wrangler's proxy. The proxy
 * (a second workerd, serving `--port`) holds about four open files per WebSocket and the worker's
 * workerd two, so with this machine's limit of 20,000 open files per process (`ulimit -Hn`, not
 * raisable here) the proxy refuses sockets near 4,900 while the worker could hold twice that.
 * Load runs of 5,000 sockets connect here; production has no such proxy (clients reach the
 * worker on Cloudflare's edge). The request then carries this address as its URL, so anything
 * signed against a URL (Twilio webhooks) must use this base too.
 *
 * wrangler does not print the address: it is found as the listening socket, among those of the
 * workerd that wrangler started with `entry=127.0.0.1:0`, that answers the worker's `/healthz`.
 */
async function userWorkerUrl(wranglerPid) {
  const processes = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      processes.push({ pid: Number(name), ppid });
    } catch { /* the process ended meanwhile */ }
  }
  const descendants = new Set([wranglerPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const { pid, ppid } of processes) {
      if (descendants.has(ppid) && !descendants.has(pid)) { descendants.add(pid); grew = true; }
    }
  }
  const listening = new Map(); // socket inode -> port
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') listening.set(fields[9], parseInt(fields[1].split(':')[1], 16));
    }
  }
  for (const pid of descendants) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('workerd') || !cmdline.includes('entry=127.0.0.1:0')) continue;
    const ports = [];
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = target.match(/^socket:\[(\d+)\]$/)?.[1];
      if (inode && listening.has(inode)) ports.push(listening.get(inode));
    }
    for (const port of ports) {
      const url = `http://127.0.0.1:${port}`;
      const healthy = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })
        .then(async (res) => res.ok && (await res.json()).status === 'ok')
        .catch(() => false);
      if (healthy) return url;
    }
  }
  throw new Error(`no workerd under wrangler (pid ${wranglerPid}) answers /healthz`);
}
