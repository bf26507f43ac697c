//! One `wrangler dev` wired to a Twilio double plus one Chromium: the stack every browser call test starts, and the agent who signs in on it.
import { startWranglerDev } from './wrangler-dev.mjs';
import { launchBrowser } from './browser.mjs';
import { embedToken, logReaderToken, openSession } from './auth.mjs';
import { freePort, startDouble } from './double.mjs';
import { CrmPage } from '../e2e/pages/crm-page.mjs';
import { CallPanel } from '../e2e/pages/call-panel.mjs';

/**
 * Starts the worker with its voice pointed at a fresh double (`vars` adds worker variables;
 * `doubleConfig(workerUrl)`, if given, is the double's configuration instead of the demo tenant's)
 * and a browser. Resolves with `{ edge, browser, double, stop() }`.
 */
export async function startVoiceStack({ vars = {}, timeScale = 0.5, doubleConfig } = {}) {
  const port = await freePort();
  const [edge, browser] = await Promise.all([
    startWranglerDev({
      vars: {
        TWILIO_API_BASE: `http://127.0.0.1:${port}`,
        VOICE_BACKEND: 'double',
        TWILIO_DOUBLE_CLIENT_URL: `ws://127.0.0.1:${port}/_double/client`,
        ...vars,
      },
    }),
    launchBrowser(),
  ]);
  const config = doubleConfig?.(String(edge.url).replace(/\/$/, ''));
  const double = await startDouble({ port, workerUrl: edge.url, timeScale, config });
  return {
    edge,
    browser,
    double,
    async stop() {
      await browser.close();
      await double.stop();
      await edge.stop();
    },
  };
}

/**
 * A CRM page of `host` where `agent` (team sales) is signed in, their phone line is ready and they
 * are available. Resolves with `{ crm, widget, call }` (page objects).
 */
export async function availableAgent(stack, host, agent, name) {
  const crm = await CrmPage.open(stack.browser, host.url, { embedTokens: () => embedToken({ agent, name, team: 'sales' }) });
  const widget = await crm.widget();
  await widget.waitForState('connected');
  await widget.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]');
  await crm.page.evaluate(() => Tsunagu.setPresence('available'));
  await widget.waitForPresence('available');
  return { crm, widget, call: new CallPanel(widget.frame) };
}

/** Polls `GET /api/conversations/<interaction>` until `ready(conversation)` holds (20 s at most). */
export async function settledConversation(edge, interaction, ready) {
  const { session } = await openSession(edge.url, logReaderToken());
  const deadline = Date.now() + 20_000;
  let last;
  for (;;) {
    const res = await fetch(new URL(`/api/conversations/${interaction}`, edge.url), { headers: { authorization: `Bearer ${session}` } });
    last = res.status === 200 ? await res.json() : null;
    if (last && ready(last)) return last;
    if (Date.now() > deadline) throw new Error(`conversation ${interaction} never settled: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
