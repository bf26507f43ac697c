//! Page object: the administration's queue and IVR-menu views (キュー / 音声メニュー) and a line's queue select, inside the widget's frame.

export class QueuesPanel {
  /** @param {import('./admin-panel.mjs').AdminPanel} admin the open administration views */
  constructor(admin) {
    this.admin = admin;
    this.frame = admin.frame;
    this.form = this.frame.getByTestId('admin-queue-form');
  }

  /** Opens the queues tab and waits for its view (its module arrives on the first open). */
  async open() {
    await this.admin.section('queues');
    await this.frame.getByTestId('admin-queue-form').waitFor();
  }

  /** Fills the new-queue form: `{ id, ja, en, whom, team, seconds, overflow, callback, music }` (only those given). */
  async fillNew(queue) {
    await this.frame.getByTestId('admin-queue-new').click();
    const fill = (testid, value) => value === undefined ? null : this.form.getByTestId(testid).fill(value);
    await fill('admin-queue-id', queue.id);
    await fill('admin-queue-name-ja', queue.ja);
    await fill('admin-queue-name-en', queue.en);
    if (queue.whom) await this.form.getByTestId('admin-queue-whom').selectOption(queue.whom);
    await fill('admin-queue-team', queue.team);
    await fill('admin-queue-ring-seconds', queue.seconds);
    if (queue.overflow) await this.form.getByTestId('admin-queue-overflow').selectOption(queue.overflow);
    if (queue.callback) await this.form.getByTestId('admin-queue-callback').selectOption(queue.callback);
    await fill('admin-queue-hold_music_url', queue.music);
  }

  async save() {
    await this.form.getByTestId('admin-queue-save').click();
  }

  /** The field errors beside `field` (resolves once one shows): `[{ code, text }]`. */
  async errors(field) {
    const errors = this.form.locator(`[data-testid="field-error"][data-field="${field}"]`);
    await errors.first().waitFor();
    return errors.evaluateAll((nodes) => nodes.map((p) => ({ code: p.getAttribute('data-code'), text: p.textContent })));
  }

  /** The listed queue `id`'s line of words (resolves once it is listed). */
  async listed(id) {
    const item = this.frame.locator(`[data-testid="admin-queue"][data-id="${id}"]`);
    await item.waitFor();
    return item.getByTestId('admin-queue-words').textContent();
  }

  /** Puts the line `number` (E.164) on queue `id` in the lines tab; resolves once the select says so after the save. */
  async putLineOnQueue(number, id) {
    await this.admin.section('lines');
    const select = this.frame.locator(`[data-testid="admin-line"][data-number="${number}"] [data-testid="admin-line-queue"]`);
    await select.locator(`option[value="${id}"]`).waitFor({ state: 'attached' });
    await select.selectOption(id);
  }

  /** Opens the IVR tab on the line `number`, which has a menu; resolves with the editor's text once it shows it. */
  async openMenu(number) {
    await this.admin.section('ivr');
    await this.frame.locator('[data-testid="admin-ivr-form"][data-loaded="true"]').waitFor();
    await this.frame.getByTestId('admin-ivr-line').selectOption(number);
    await this.frame.waitForFunction(
      () => document.querySelector('[data-testid="admin-ivr-menu"]')?.value.includes('"nodes"'),
    );
    return this.frame.getByTestId('admin-ivr-menu').inputValue();
  }

  /** Replaces the editor's text and saves; resolves with the listed refusals once shown. */
  async saveMenuRefused(text) {
    await this.frame.getByTestId('admin-ivr-menu').fill(text);
    await this.frame.getByTestId('admin-ivr-save').click();
    await this.frame.getByTestId('admin-ivr-problem').first().waitFor();
    return this.frame.getByTestId('admin-ivr-problem').allTextContents();
  }
}
