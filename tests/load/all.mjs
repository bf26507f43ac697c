//! Every load and fault run, one after another, against the goals; prints one table (Markdown, then JSON).
//!
//! Usage (after a build; `cargo xtask load all --release` builds first):
//! `node tests/load/all.mjs [--quick] [--only presence,reconnect] [--out results.json]`.
//! Each run is its own script with its own fresh `wrangler dev` (tests/load/*.mjs), started here
//! as a child process; its last line, `RESULT {json}`, is what the table reads. `--quick` runs
//! every script at a tenth of the size or less (a smoke run; its numbers mean little).
//! Every run also checks that nothing was lost, whatever the speed: a row whose loss check fails
//! says so, and the command exits 1 when any loss check fails (goals on speed are reported only,
//! since they depend on the machine).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

/**
 * The runs. `args` at the goals' size (and `quick` for the smoke run); `goals` are speed checks
 * [label, pass(result)]; `lost` says what was lost (an empty list when nothing was).
 */
const RUNS = [
  {
    name: 'presence',
    what: '5,000 signed-in sockets, 200 presence changes/s for 30 s, 100 observers',
    args: ['--sockets', '5000', '--rate', '200', '--seconds', '30', '--observers', '100'],
    quick: ['--sockets', '300', '--rate', '20', '--seconds', '5', '--observers', '20'],
    summary: (r) => `${r.deliveries_seen}/${r.deliveries_expected} deliveries; change → observer p50 ${r.delivery_ms?.p50} ms, p99 ${r.delivery_ms?.p99} ms; sign-in ${r.connect_s} s`,
    goals: [
      ['p99 ≤ 500 ms', (r) => r.delivery_ms && r.delivery_ms.p99 <= 500],
      ['sign-in ≤ 60 s', (r) => r.connect_s <= 60],
    ],
    lost: (r) => (r.deliveries_seen < r.deliveries_expected ? [`${r.deliveries_expected - r.deliveries_seen} deliveries`] : []),
  },
  {
    name: 'calls-steady',
    script: 'calls',
    what: '100 incoming calls/s for 30 s, 500 agents',
    args: ['--rate', '100', '--seconds', '30', '--agents', '500'],
    quick: ['--rate', '10', '--seconds', '3', '--agents', '50'],
    summary: (r) => `${r.rung} rung + ${r.queued} queued of ${r.calls}; webhook p50 ${r.webhook_ms.p50} ms, p99 ${r.webhook_ms.p99} ms; ${r.status_5xx} 5xx`,
    goals: [['p99 ≤ 250 ms', (r) => r.webhook_ms.p99 <= 250]],
    lost: callsLost,
  },
  {
    name: 'calls-answered',
    script: 'calls',
    what: '100 incoming calls/s for 30 s, 500 agents who answer (1 s ring, 2 s talk, Twilio\'s status webhooks)',
    args: ['--rate', '100', '--seconds', '30', '--agents', '500', '--talk', '2'],
    quick: ['--rate', '10', '--seconds', '3', '--agents', '50', '--talk', '1'],
    summary: (r) => `${r.answered} answered, ${r.ended} ended of ${r.calls}; incoming p50 ${r.webhook_ms.p50} ms, p99 ${r.webhook_ms.p99} ms; status webhooks p99 ${r.status_webhook_ms.p99} ms; ${r.status_5xx} 5xx; agents the hub set away: ${Object.entries(r.pushed_away ?? {}).map(([why, n]) => `${n} ${why}`).join(', ') || 'none'}`,
    goals: [['p99 ≤ 250 ms', (r) => r.webhook_ms.p99 <= 250]],
    lost: callsLost,
  },
  {
    name: 'calls-burst',
    script: 'calls',
    what: 'a simultaneous burst of 1,000 calls, 200 agents',
    args: ['--calls', '1000', '--agents', '200'],
    quick: ['--calls', '100', '--agents', '20'],
    summary: (r) => `${r.rung} rung + ${r.queued} queued; webhook p50 ${r.webhook_ms.p50} ms, p99 ${r.webhook_ms.p99} ms (${r.calls_per_s} calls/s); call log complete ${r.call_log.complete_s_after_burst} s after`,
    goals: [['p99 < 15 s (Twilio\'s timeout)', (r) => r.webhook_ms.p99 < 15_000]],
    lost: callsLost,
  },
  {
    name: 'single-call',
    script: 'calls',
    what: 'one incoming call at a time (2/s for 10 s, 20 agents), time inside the worker',
    args: ['--rate', '2', '--seconds', '10', '--agents', '20'],
    quick: ['--rate', '2', '--seconds', '2', '--agents', '5'],
    summary: (r) => `inside the worker (D1 + hub) p50 ${r.worker_total_ms.p50} ms, p99 ${r.worker_total_ms.p99} ms; webhook p50 ${r.webhook_ms.p50} ms`,
    goals: [['median ≤ 10 ms inside the worker', (r) => r.worker_total_ms.p50 <= 10]],
    lost: callsLost,
  },
  {
    name: 'restart',
    what: '300 calls, nobody available, wrangler restarted a third of the way in',
    args: ['--calls', '300'],
    quick: ['--calls', '30'],
    summary: (r) => `restart ${r.restart_ms} ms; ${r.webhooks_failed_during_restart_then_retried} retried; ${r.distinct_queue_positions} distinct queue positions; log ${r.call_log.conversations} conversations, ${r.call_log.queued_events} queued events`,
    goals: [],
    lost: (r) => [
      ...(r.lost ? [`${r.lost} queued calls`] : []),
      ...(r.call_log.conversations !== r.calls ? [`log has ${r.call_log.conversations} conversations`] : []),
      ...(r.call_log.queued_events !== r.calls ? [`log has ${r.call_log.queued_events} queued events`] : []),
    ],
  },
  {
    name: 'reconnect',
    what: 'a reconnect storm: 5,000 sockets drop and return at once, 50 calls ringing',
    args: ['--sockets', '5000', '--calls', '50'],
    quick: ['--sockets', '300', '--calls', '10'],
    summary: (r) => `sign-in ${r.sign_in_s} s; all reconnected in ${r.reconnected_s} s, settled in ${r.settled_s ?? 'never'} s; ${r.reconnects_retried} retried connections; ${r.pushed_away_by_missed_offer} available agents came back away(missed_offer) (a call rang their dropped socket)`,
    goals: [['settles ≤ 30 s', (r) => r.settled_s !== null && r.settled_s <= 30]],
    lost: (r) => [
      ...(r.statuses_lost ? [`${r.statuses_lost} presence states`] : []),
      ...(r.offers_lost ? [`${r.offers_lost} offers`] : []),
      ...(r.reconnects_refused ? [`${r.reconnects_refused} sockets refused`] : []),
    ],
  },
];

function callsLost(r) {
  return [
    ...(r.lost ? [`${r.lost} calls (no answer)`] : []),
    ...(r.status_5xx ? [`${r.status_5xx} 5xx`] : []),
    ...(r.invalid_twiml ? [`${r.invalid_twiml} invalid TwiML`] : []),
    ...(r.call_log.conversations < r.calls ? [`${r.calls - r.call_log.conversations} conversations missing from the log`] : []),
    // Not necessarily lost: an overloaded hub may still hold them in its queue when the script
    // stops waiting; either way the run did not carry its calls.
    ...(r.talk_s && r.ended < r.calls ? [`${r.calls - r.ended} calls not answered and hung up by the end of the run`] : []),
    ...(r.status_webhook_failures ? [`${r.status_webhook_failures} status webhooks failed`] : []),
  ];
}

/** Runs one script; resolves with its RESULT (or an error text). Output goes to stderr as it comes. */
function runScript(script, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(HERE, `${script}.mjs`), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stderr.write(chunk);
    });
    child.on('exit', (code) => {
      const line = out.split('\n').reverse().find((l) => l.startsWith('RESULT '));
      resolve(line ? { result: JSON.parse(line.slice(7)) } : { error: `exit ${code} without a RESULT line` });
    });
  });
}

const only = values.only?.split(',');
const rows = [];
for (const run of RUNS.filter((r) => !only || only.includes(r.name))) {
  const args = values.quick ? run.quick : run.args;
  const what = values.quick ? `${run.what} — quick: ${args.join(' ')}` : run.what;
  process.stderr.write(`\n== ${run.name}: node tests/load/${run.script ?? run.name}.mjs ${args.join(' ')}\n`);
  const started = performance.now();
  const { result, error } = await runScript(run.script ?? run.name, args);
  const seconds = Math.round((performance.now() - started) / 1000);
  if (error) {
    rows.push({ run: run.name, what, args, seconds, error, lost: ['the run failed'], goals: [] });
    continue;
  }
  rows.push({
    run: run.name,
    what,
    args,
    seconds,
    summary: run.summary(result),
    goals: run.goals.map(([label, pass]) => ({ goal: label, met: Boolean(pass(result)) })),
    lost: run.lost(result),
    result,
  });
}

const machine = `${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
const date = new Date().toISOString().slice(0, 10);
console.log(`Load runs ${date}${values.quick ? ' (quick: smoke sizes)' : ''}, ${machine}, load average before the runs ${os.loadavg()[0].toFixed(2)}\n`);
console.log('| run | what | result | goals | lost |');
console.log('|---|---|---|---|---|');
for (const row of rows) {
  const goals = row.goals.map((g) => `${g.met ? '✅' : '❌'} ${g.goal}`).join('<br>') || '—';
  const lost = row.lost.length ? `**${row.lost.join(', ')}**` : 'nothing';
  console.log(`| ${row.run} | ${row.what} | ${row.error ?? row.summary} | ${goals} | ${lost} |`);
}
const report = { date, machine, quick: values.quick, runs: rows };
console.log(`\n${JSON.stringify(report, null, 2)}`);
if (values.out) await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.exitCode = rows.some((r) => r.lost.length) ? 1 : 0;
