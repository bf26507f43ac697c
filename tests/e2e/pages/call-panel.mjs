//! Page object: the widget's call view (transfer form) and its wrap-up form.

export class CallPanel {
  /** @param {import('playwright-core').Frame} frame the widget's frame */
  constructor(frame) {
    this.frame = frame;
    this.root = frame.getByTestId('call');
    this.hangUp = frame.getByTestId('call-hang-up');
    this.hold = frame.getByTestId('call-hold');
    this.mute = frame.getByTestId('call-mute');
    this.transferButton = frame.getByTestId('call-transfer');
    this.transferForm = frame.getByTestId('transfer-form');
    this.wrapUp = frame.getByTestId('wrap-up');
    this.disposition = frame.getByTestId('wrap-up-disposition');
    this.notes = frame.getByTestId('wrap-up-notes');
    this.endWrapUp = frame.getByTestId('end-wrap-up');
  }

  /** Opens the transfer form and picks the free colleague `agent`. */
  async transferToAgent(agent) {
    await this.transferButton.click();
    await this.transferForm.waitFor();
    await this.frame.locator(`[data-testid="transfer-agent"][data-agent="${agent}"]`).click();
  }

  /** Opens the transfer form and sends the call to `number` as typed. */
  async transferToNumber(number) {
    await this.transferButton.click();
    await this.frame.getByTestId('transfer-number').fill(number);
    await this.frame.getByTestId('transfer-number-go').click();
  }

  /** Fills the wrap-up form and ends it. */
  async finishWrapUp({ disposition, notes }) {
    await this.wrapUp.waitFor();
    if (disposition) await this.disposition.selectOption(disposition);
    if (notes) await this.notes.fill(notes);
    await this.endWrapUp.click();
  }
}
