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
   * `prepare(page)` runs before the navigation (routes, init scripts). `timezoneId` sets the
   * browser's own time zone (default: the machine's).
   */
  static async open(browser, url, { locale = 'ja-JP', embedTokens, viewport, prepare, timezoneId } = {}) {
    const context = await browser.newContext({ locale, ...(viewport ? { viewport } : {}), ...(timezoneId ? { timezoneId } : {}) });
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

  /** Reloads the CRM page (the widget reconnects within the disconnect grace); resolves with the new widget frame. */
  async reload() {
    await this.page.reload();
    return this.widget();
  }

  /** The conversations of every `ring` event the page logged, oldest first. */
  async rings() {
    return (await this.events()).filter((e) => e.type === 'ring').map((e) => e.detail.conversation);
  }

  /**
   * Freezes the widget as a frozen background tab is: the debugger pauses its renderer at the next
   * statement, so messages from the hub arrive but no script handles them (no acknowledgement,
   * no ping) while the socket stays open. The widget is a cross-origin iframe with its own
   * renderer; a same-process frame pauses with its page. `thawWidget()` resumes it.
   */
  async freezeWidget() {
    const widget = await this.widget();
    const context = this.page.context();
    this.frozen = await context.newCDPSession(widget.frame).catch(() => context.newCDPSession(this.page));
    await this.frozen.send('Debugger.enable');
    await this.frozen.send('Debugger.pause');
  }

  async thawWidget() {
    if (!this.frozen) return;
    const session = this.frozen;
    this.frozen = undefined;
    await session.send('Debugger.resume');
    await session.send('Debugger.disable');
    await session.detach();
  }

  /**
   * Leaves as a careful agent does: ends wrap-up, goes offline, then closes the tab, so the next
   * test starts with nobody available. Never fails: a widget in a bad state just closes.
   */
  async signOff() {
    await this.thawWidget().catch(() => {});
    try {
      const widget = await this.widget(2_000);
      if (await widget.endWrapUp.isVisible()) await widget.endWrapUp.click({ timeout: 2_000 });
      await this.page.evaluate(() => window.Tsunagu?.setPresence('offline'));
      await widget.waitForPresence('offline', 3_000);
    } catch { /* closed below either way */ }
    await this.close().catch(() => {});
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
    this.awayReason = frame.getByTestId('away-reason');
    this.call = frame.getByTestId('call');
    this.hangUp = frame.getByTestId('call-hang-up');
    this.wrapUp = frame.getByTestId('wrap-up');
    this.endWrapUp = frame.getByTestId('end-wrap-up');
    this.dialConfirm = frame.getByTestId('dial-confirm');
    this.dialConfirmNumber = frame.getByTestId('dial-confirm-number');
    this.dialConfirmCall = frame.getByTestId('dial-confirm-call');
    this.dialConfirmCancel = frame.getByTestId('dial-confirm-cancel');
    this.dialConfirmCustomer = frame.getByTestId('dial-confirm-customer');
    // A record a CRM backend pushed (the server API's screen pop).
    this.pushedRecord = frame.getByTestId('pushed-record');
    this.pushedRecordTitle = frame.getByTestId('pushed-record-title');
    this.pushedRecordSubtitle = frame.getByTestId('pushed-record-subtitle');
    this.pushedRecordNumber = frame.getByTestId('pushed-record-number');
    this.pushedRecordLink = frame.getByTestId('pushed-record-link');
    this.pushedRecordClose = frame.getByTestId('pushed-record-close');
  }

  /** Presses Call on the number `Tsunagu.dial()` showed (nothing is dialled before). */
  async confirmDial(timeoutMs = 10_000) {
    await this.dialConfirmCall.waitFor({ timeout: timeoutMs });
    await this.dialConfirmCall.click();
  }

  /** Waits until the phone line (the double's softphone socket) is registered. */
  async waitForVoiceReady(timeoutMs = 20_000) {
    await this.frame.waitForSelector('[data-testid="voice-state"][data-state="ready"]', { timeout: timeoutMs });
  }

  /**
   * Picks a status with the widget's own buttons: 'available', 'offline' or 'away' (with a
   * `reason` such as 'break'), then waits until the widget shows it, unless `wait` is false (an
   * agent who becomes available may be offered a waiting call at once).
   */
  async choosePresence(status, { reason = 'break', wait = true } = {}) {
    if (status === 'away') {
      await this.awayReason.selectOption(reason);
      await this.away.click();
    } else {
      await this[status].click();
    }
    if (wait) await this.waitForPresence(status);
  }

  /** The offer card of `conversation` (the call's CallSid). */
  offerFor(conversation) {
    return this.frame.locator(`[data-testid="offer"][data-conversation="${conversation}"]`);
  }

  /** Waits until the offer card of `conversation` shows; returns its text (the screen pop). */
  async waitForOffer(conversation, timeoutMs = 20_000) {
    const offer = this.offerFor(conversation);
    await offer.waitFor({ timeout: timeoutMs });
    return offer.textContent();
  }

  /** Answers the ringing offer of `conversation` once its phone line rings, and waits for the call view. */
  async acceptOffer(conversation, timeoutMs = 10_000) {
    await this.frame.waitForSelector(
      `[data-testid="offer"][data-conversation="${conversation}"] [data-testid="offer-accept"]:not([disabled])`,
      { timeout: timeoutMs },
    );
    await this.accept.click();
    await this.call.waitFor({ timeout: timeoutMs });
  }

  /** After the call: waits for wrap-up, ends it with the widget's button, waits until available again. */
  async finishWrapUp() {
    await this.call.waitFor({ state: 'detached' });
    await this.waitForPresence('wrap_up');
    await this.endWrapUp.click();
    await this.waitForPresence('available');
  }

  /** The status of `agent` as their roster row reads it ("オフライン", "離席（昼食）", …). */
  rosterLabel(agent) {
    return this.rosterRow(agent).locator('.roster__status').textContent();
  }

  /** The roster row of `agent` (its `data-status` is the status kind). */
  rosterRow(agent) {
    return this.roster.locator(`li[data-agent="${agent}"]`);
  }

  /** Waits until the roster shows `agent` with status kind `status`. */
  async waitForRosterStatus(agent, status, timeoutMs = 20_000) {
    await this.frame.waitForSelector(`[data-testid="roster"] li[data-agent="${agent}"][data-status="${status}"]`, { timeout: timeoutMs });
  }

  /** The roster as { agent: status kind }. */
  async rosterStatuses() {
    const rows = await this.roster.locator('li[data-agent]').evaluateAll((items) =>
      items.map((li) => [li.getAttribute('data-agent'), li.getAttribute('data-status')]));
    return Object.fromEntries(rows);
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
