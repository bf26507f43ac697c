//! Page object: a CRM page that embeds the Tsunagu widget, and the widget inside its iframe.

export class CrmPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    /** Every console line of the page and its frames, from before the first navigation. */
    this.console = [];
    page.on('console', (msg) => this.console.push(msg.text()));
  }

  static async open(browser, url, { locale = 'ja-JP' } = {}) {
    const context = await browser.newContext({ locale });
    const crm = new CrmPage(await context.newPage());
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
  }

  /** Waits until the widget's connection status reaches `state` (connected, signed-out, …). */
  async waitForState(state, timeoutMs = 20_000) {
    await this.frame.waitForSelector(`[data-testid="connection-status"][data-state="${state}"]`, { timeout: timeoutMs });
  }
}
