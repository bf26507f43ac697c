//! `cargo xtask run` stops wrangler and the Twilio double when a process manager signals it alone (plain SIGINT or SIGTERM to its PID, no process group).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { ROOT } from '../support/paths.mjs';
import { freePort } from '../support/double.mjs';

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function stopsOn(signal) {
  // A port whose +2 neighbour (the double's) is free too.
  let port;
  do { port = await freePort(); } while (await listening(port + 2));
  // `--debug`: the build the other tests just made, so this only starts the processes. `detached`
  // puts xtask in a process group of its own: the signal below reaches xtask alone, as from a
  // process manager (a terminal's Ctrl-C would reach the whole group).
  const xtask = spawn('cargo', ['xtask', 'run', '--debug', '--port', String(port)], {
    cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let output = '';
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not running after 240 s:\n${output}`)), 240_000);
      const onData = (chunk) => {
        output += chunk;
        if (output.includes('Tsunagu is running')) { clearTimeout(timer); resolve(); }
      };
      xtask.stdout.on('data', onData);
      xtask.stderr.on('data', onData);
      xtask.once('exit', (code) => { clearTimeout(timer); reject(new Error(`xtask exited (${code}):\n${output}`)); });
    });
    assert.equal(await listening(port), true, 'wrangler listens');
    assert.equal(await listening(port + 2), true, 'the double listens');
    const exited = new Promise((resolve) => xtask.once('exit', resolve));
    process.kill(xtask.pid, signal);
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`xtask still running 20 s after ${signal}:\n${output}`)), 20_000));
    await Promise.race([exited, timeout]);
    assert.equal(await listening(port), false, `wrangler stopped on ${signal}`);
    assert.equal(await listening(port + 2), false, `the double stopped on ${signal}`);
  } finally {
    // Whatever happened, leave nothing behind: the whole group this test started.
    try { process.kill(-xtask.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

test('SIGINT to the `cargo xtask run` process stops wrangler and the double', async () => {
  await stopsOn('SIGINT');
});

test('SIGTERM to the `cargo xtask run` process stops wrangler and the double', async () => {
  await stopsOn('SIGTERM');
});
