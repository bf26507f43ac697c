//! Page object: the customer's "call us" page (/call/<tenant>) that places a web call, and the audio statistics of a WebRTC peer.

export class CallUsPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    this.root = page.locator('#webcall');
    this.name = page.locator('#caller-name');
    this.number = page.locator('#caller-number');
    this.callButton = page.locator('#call');
    this.hangUpButton = page.locator('#hang-up');
    this.status = page.locator('#status');
    this.timer = page.locator('#timer');
    this.console = [];
    page.on('console', (msg) => this.console.push(msg.text()));
  }

  /** Opens the page of `tenant` on `baseUrl` in a fresh context (its own microphone, fake). */
  static async open(browser, baseUrl, { tenant = 'demo', locale = 'ja-JP' } = {}) {
    const context = await browser.newContext({ locale });
    const page = new CallUsPage(await context.newPage());
    await page.page.goto(new URL(`/call/${tenant}`, baseUrl).href);
    return page;
  }

  /** Types the caller's name and number (both optional) and presses Call. */
  async call({ name, number } = {}) {
    if (name) await this.name.fill(name);
    if (number) await this.number.fill(number);
    await this.callButton.click();
  }

  hangUp() {
    return this.hangUpButton.click();
  }

  /** idle, calling, queued, ringing, connected or ended. */
  state() {
    return this.root.getAttribute('data-state');
  }

  async waitForState(state, timeoutMs = 20_000) {
    await this.page.waitForSelector(`#webcall[data-state="${state}"]`, { timeout: timeoutMs });
  }

  /** Waits until the page shows the caller as number `position` in line. */
  async waitForPosition(position, timeoutMs = 20_000) {
    await this.page.waitForSelector(`#webcall[data-state="queued"][data-position="${position}"]`, { timeout: timeoutMs });
  }

  /** The call's conversation id, once the hub has said `started`. */
  async conversation(timeoutMs = 20_000) {
    await this.page.waitForSelector('#webcall[data-conversation]', { timeout: timeoutMs });
    return this.root.getAttribute('data-conversation');
  }

  endReason() {
    return this.root.getAttribute('data-end-reason');
  }

  close() {
    return this.page.context().close();
  }
}

/**
 * Audio bytes received so far by the peer connection a page or frame exposes as
 * `window.__tsunaguPeer` (its `inbound-rtp` audio statistics); 0 when there is none yet.
 * @param {import('playwright-core').Page | import('playwright-core').Frame} target
 */
export function inboundAudioBytes(target) {
  return target.evaluate(async () => {
    const peer = window.__tsunaguPeer;
    if (!peer) return 0;
    const stats = await peer.getStats();
    let bytes = 0;
    stats.forEach((report) => {
      if (report.type === 'inbound-rtp' && (report.kind ?? report.mediaType) === 'audio') bytes += report.bytesReceived ?? 0;
    });
    return bytes;
  });
}

/** Polls `inboundAudioBytes(target)` until it is above zero; returns the bytes. */
export async function waitForInboundAudio(target, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bytes = await inboundAudioBytes(target);
    if (bytes > 0) return bytes;
    if (Date.now() > deadline) throw new Error(`${what}: no audio bytes received within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
