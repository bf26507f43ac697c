//! A CPU profile of the worker's isolate under `wrangler dev`, through its inspector (the Chrome
//! DevTools protocol): where the worker and its Durable Object spend their CPU during a load run.
//! The Workers clock advances only across I/O, so the worker's own logs cannot show CPU; this can.
import { writeFile } from 'node:fs/promises';
import WebSocket from 'ws';

/** Starts sampling the isolate behind `inspectorPort`; `stop(file)` writes the `.cpuprofile` and returns a summary. */
export async function startCpuProfile(inspectorPort, { intervalUs = 200 } = {}) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error(`no inspector target on port ${inspectorPort}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  let id = 0;
  const waiting = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.id && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) reject(new Error(JSON.stringify(message.error)));
      else resolve(message.result);
    }
  });
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    id += 1;
    waiting.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: intervalUs });
  await send('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await send('Profiler.stop');
      ws.close();
      if (file) await writeFile(file, JSON.stringify(profile));
      return summarise(profile);
    },
  };
}

/** Self time per function (ms), the largest first, with the share of all samples that were not idle. */
export function summarise(profile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const node = byId.get(profile.samples[i]);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const name = node.callFrame.functionName || `(anonymous ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber})`;
    if (name === '(idle)' || name === '(program)') continue;
    total += ms;
    self.set(name, (self.get(name) ?? 0) + ms);
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: +(ms / total).toFixed(3) }));
  return { busy_ms: Math.round(total), top: rows };
}
