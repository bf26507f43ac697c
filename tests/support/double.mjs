//! Starts the Twilio test double (`build/bin/twilio-double`, built by `cargo xtask build`) and drives its control API.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths.mjs';

export const DOUBLE_BIN = path.join(ROOT, 'build', 'bin', 'twilio-double');

/** A free local port (the double's address must be known before the worker starts). */
export async function freePort() {
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
 * Starts the double on `port`, playing Twilio towards `workerUrl` (the demo tenant, secrets from
 * .dev.vars; or `config`, the double's JSON configuration of accounts and numbers, for other
 * tenants). `timeScale` shortens rings and pauses (0.1: a 15 s ring takes 1.5 s).
 */
export async function startDouble({ port, workerUrl, timeScale = 1, seed, duplicate, reorder, config }) {
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--worker', String(workerUrl).replace(/\/$/, ''),
    '--time-scale', String(timeScale), '--dev-vars', path.join(ROOT, '.dev.vars')];
  if (config !== undefined) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tsunagu-double-'));
    const file = path.join(dir, 'double.json');
    await writeFile(file, JSON.stringify(config));
    args.push('--config', file);
  }
  if (seed !== undefined) args.push('--seed', String(seed));
  if (duplicate !== undefined) args.push('--duplicate', String(duplicate));
  if (reorder !== undefined) args.push('--reorder', String(reorder));
  const child = spawn(DOUBLE_BIN, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/_double/health`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the double did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const json = async (method, route, body) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    url: base,
    clientUrl: `ws://127.0.0.1:${port}/_double/client`,
    output: () => output,
    /** A caller dials `to` from `from`; resolves with the CallSid. */
    async call(from, to = '+815012345678', digits = undefined) { return (await json('POST', '/_double/calls', { from, to, digits })).call_sid; },
    /** The caller presses `digits` (heard by the next `<Gather>` listening for keys). */
    digits: (sid, digits) => json('POST', `/_double/calls/${sid}/digits`, { digits }),
    /** The caller says `text` (heard by the next `<Gather>` listening for speech). */
    speech: (sid, text, confidence = undefined) => json('POST', `/_double/calls/${sid}/speech`, { text, confidence }),
    call_state: (sid) => json('GET', `/_double/calls/${sid}`),
    hangup: (sid) => json('POST', `/_double/calls/${sid}/hangup`),
    registerClient: (identity, behaviour = {}) => json('POST', `/_double/clients/${identity}/register`, behaviour),
    unregisterClient: (identity) => json('DELETE', `/_double/clients/${identity}`),
    phone: (number, behaviour) => json('PUT', `/_double/phones/${encodeURIComponent(number)}`, behaviour),
    restLog: () => json('GET', '/_double/rest-log'),
    /** Polls the call until `pred(state)` holds; resolves with the state. */
    async waitForCall(sid, pred, what = 'call state', ms = 20_000) {
      const until = Date.now() + ms;
      for (;;) {
        const state = await json('GET', `/_double/calls/${sid}`);
        if (pred(state)) return state;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state).slice(0, 4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
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
 * Plays a JSON scenario (`twilio-double run`) against `workerUrl` with a double of its own on
 * `port`, which must be free (stop a serving double first). Resolves with { code, output }; the
 * output has one `ok N …` or `FAILED N …: why` line per step.
 */
export async function runScenario(scenarioPath, { port, workerUrl, timeoutMs = 60_000 }) {
  const args = ['run', scenarioPath, '--listen', `127.0.0.1:${port}`, '--worker', String(workerUrl).replace(/\/$/, ''),
    '--dev-vars', path.join(ROOT, '.dev.vars')];
  const child = spawn(DOUBLE_BIN, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  const code = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, output };
}

/** What the caller heard, in order: [{ text, language }] of the call's `say` events. */
export function heard(state) {
  return state.events.filter((e) => e.kind === 'say').map((e) => ({ text: e.text, language: e.language }));
}

/** Whom the call dialled, in order: the targets of each `dial` event (`client:sato`, `+8190…`). */
export function dialled(state) {
  return state.events.filter((e) => e.kind === 'dial').flatMap((e) => e.targets);
}
