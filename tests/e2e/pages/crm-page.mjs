//! Page object: a CRM page that embeds the Tsunagu widget, the host API events it logged, and the widget inside its iframe.

export class CrmPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    /** Every console line of the page and its frames, from before the first navigation. */
    this.console = [];
    page.on('console', (msg) => this.console.push(msg.text()));
  }

  /**
   * Opens `url` in a fresh context. `embedTokens` (a function returning a token, or a list handed
   * out in order) backs the page's `nextEmbedToken()`, which the host script's getEmbedToken calls.
   * `prepare(page)` runs before the navigation (routes, init scripts).
   */
  static async open(browser, url, { locale = 'ja-JP', embedTokens, viewport, prepare } = {}) {
    const context = await browser.newContext({ locale, ...(viewport ? { viewport } : {}) });
    const crm = new CrmPage(await context.newPage());
    if (embedTokens) {
      const next = Array.isArray(embedTokens) ? () => embedTokens.shift() : embedTokens;
      await crm.page.exposeFunction('nextEmbedToken', async () => {
        crm.tokensHandedOut = (crm.tokensHandedOut ?? 0) + 1;
        return next();
      });
    }
    await prepare?.(crm.page);
    await crm.page.goto(url);
    return crm;
  }

  /** Resolves with the first console line matching `pattern`, waiting up to `timeoutMs`. */
  async consoleLine(pattern, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.console.find((text) => pattern.test(text));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no console line matched ${pattern}: ${JSON.stringify(this.console)}`);
      await this.page.waitForTimeout(100);
    }
  }

  /** The host API events the page logged (`#tsunagu-log li`), oldest first: [{ type, detail }]. */
  async events() {
    const lines = await this.page.$$eval('#tsunagu-log li[data-event]', (items) =>
      items.map((li) => ({ type: li.getAttribute('data-event'), detail: JSON.parse(li.getAttribute('data-detail') || '{}') })));
    // The demo CRM prepends (newest first); the test host appends.
    const newestFirst = await this.page.$eval('#tsunagu-log', (log) => log.hasAttribute('reversed')).catch(() => false);
    return newestFirst ? lines.reverse() : lines;
  }

  /** Waits for a logged event of `type` whose detail satisfies `match`; returns its detail. */
  async waitForEvent(type, match = () => true, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.events()).find((e) => e.type === type && match(e.detail));
      if (found) return found.detail;
      if (Date.now() > deadline) throw new Error(`no ${type} event; got ${JSON.stringify(await this.events())}`);
      await this.page.waitForTimeout(100);
    }
  }

  /** The widget's frame, once the loader has created it and it has navigated. */
  async widget(timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.page.frames().find((f) => f.url().includes('/widget?tenant='));
      if (frame) return new WidgetFrame(frame);
      if (Date.now() > deadline) throw new Error('the widget iframe never appeared');
      await this.page.waitForTimeout(100);
    }
  }

  close() {
    return this.page.context().close();
  }
}

export class WidgetFrame {
  /** @param {import('playwright-core').Frame} frame */
  constructor(frame) {
    this.frame = frame;
    this.status = frame.getByTestId('connection-status');
    this.tenantName = frame.getByTestId('tenant-name');
    this.langToggle = frame.getByTestId('lang-toggle');
    this.notice = frame.getByTestId('notice');
    this.presence = frame.getByTestId('presence-status');
    this.available = frame.getByTestId('presence-available');
    this.away = frame.getByTestId('presence-away');
    this.offline = frame.getByTestId('presence-offline');
    this.voice = frame.getByTestId('voice-state');
    this.roster = frame.getByTestId('roster');
    this.offer = frame.getByTestId('offer');
    this.offerCaller = frame.getByTestId('offer-caller');
    this.offerCustomer = frame.getByTestId('offer-customer');
    this.offerOwner = frame.getByTestId('offer-owner');
    this.accept = frame.getByTestId('offer-accept');
    this.reject = frame.getByTestId('offer-reject');
  }

  /** Waits until the widget's connection status reaches `state` (connected, signed-out, …). */
  async waitForState(state, timeoutMs = 20_000) {
    await this.frame.waitForSelector(`[data-testid="connection-status"][data-state="${state}"]`, { timeout: timeoutMs });
  }

  /** Waits until the big presence display shows `status` (available, away, on_call, …). */
  async waitForPresence(status, timeoutMs = 20_000) {
    await this.frame.waitForSelector(`[data-testid="presence-status"][data-status="${status}"]`, { timeout: timeoutMs });
  }
}
