//! Page object: the widget's 通話履歴 / Conversations view (supervisors and admins), inside the widget's frame.

export class ConversationsPanel {
  /** @param {import('playwright-core').Frame} frame the widget's frame */
  constructor(frame) {
    this.frame = frame;
    this.toggle = frame.getByTestId('conversations-toggle');
    this.root = frame.getByTestId('conversations');
  }

  /** Clicks 通話履歴 and waits for the view (its module arrives on the first open). */
  async open() {
    await this.toggle.click();
    await this.root.waitFor();
  }

  /** The row of the conversation whose interaction is `key` (a CallSid), once listed. */
  async row(key) {
    const row = this.frame.locator(`[data-testid="conversation-row"][data-key="${key}"]`);
    await row.waitFor();
    const field = async (testid) => (await row.getByTestId(testid).textContent()).trim();
    return {
      root: row,
      time: await field('conversation-time'),
      number: await field('conversation-number'),
      customer: await field('conversation-customer'),
      outcome: await field('conversation-outcome'),
      agent: await field('conversation-agent'),
      text: (await row.textContent()).trim(),
    };
  }

  /** Opens `key`'s row; resolves with its timeline lines and its routing decisions (as rendered, line breaks kept). */
  async openRow(key) {
    const row = this.frame.locator(`[data-testid="conversation-row"][data-key="${key}"]`);
    await row.getByRole('button').first().click();
    const detail = row.getByTestId('conversation-detail');
    await detail.waitFor();
    return this.detail(key);
  }

  /** The opened row's timeline and routing decisions, as rendered. */
  async detail(key) {
    const row = this.frame.locator(`[data-testid="conversation-row"][data-key="${key}"]`);
    return {
      timeline: (await row.getByTestId('conversation-moment').allInnerTexts()).map((line) => line.trim()),
      decisions: (await row.getByTestId('routing-decision').allInnerTexts()).map((line) => line.trim()),
    };
  }
}
