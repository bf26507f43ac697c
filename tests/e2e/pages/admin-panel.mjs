//! Page object: the widget's administration views (管理 / Admin), inside the widget's frame.

export class AdminPanel {
  /** @param {import('playwright-core').Frame} frame the widget's frame */
  constructor(frame) {
    this.frame = frame;
    this.toggle = frame.getByTestId('admin-toggle');
    this.root = frame.getByTestId('admin');
  }

  /** Clicks 管理 / Admin and waits for the views (their module arrives on the first open). */
  async open() {
    await this.toggle.click();
    await this.root.waitFor();
  }

  /** Shows one section: `directory`, `customers`, `lines`, `hours`, `routing`, `api-keys`, `webhooks` or `settings`. */
  async section(name) {
    await this.frame.locator(`[data-testid="admin-tab"][data-section="${name}"]`).click();
    await this.frame.locator(`[role="tabpanel"][data-section="${name}"]`).waitFor();
  }

  input(key) {
    return this.frame.getByTestId(`admin-input-${key}`);
  }

  /** A form of the views by its test id (`admin-team-form`, …), with `input(key)` and `errors(key)` inside it. */
  form(testid) {
    const root = this.frame.getByTestId(testid);
    return {
      root,
      input: (key) => root.getByTestId(`admin-input-${key}`),
      /** The field errors shown beside the field `key` (resolves once one shows). */
      errors: async (key) => {
        const errors = root.locator(`[data-testid="field-error"][data-field="${key}"]`);
        await errors.first().waitFor();
        return errors.allTextContents();
      },
      submit: (testid) => root.getByTestId(testid).click(),
    };
  }

  /** Creates an API key with the default scope; resolves with the secret the view shows once. */
  async createApiKey(name) {
    await this.section('api-keys');
    const form = this.frame.getByTestId('admin-api-key-form');
    await form.getByTestId('admin-input-name').fill(name);
    await form.getByTestId('admin-api-key-save').click();
    const secret = this.frame.getByTestId('admin-api-key-secret-value');
    await secret.waitFor();
    return secret.textContent();
  }

  /** The API keys listed, as `{ id, name, revoked }`. */
  async apiKeys() {
    return this.frame.locator('[data-testid="admin-api-key"]').evaluateAll((items) => items.map((li) => ({
      id: li.getAttribute('data-id'), text: li.textContent, revoked: li.getAttribute('data-revoked') === 'true',
    })));
  }

  /** Picks a CSV file (`{ name, buffer }`) in the customers section; resolves once its dry run's report shows. */
  async pickCsv(file) {
    await this.section('customers');
    await this.frame.getByTestId('admin-csv-file').setInputFiles({ name: file.name, mimeType: 'text/csv', buffer: file.buffer });
    const report = this.frame.getByTestId('admin-csv-report');
    await report.waitFor();
    return report;
  }

  /** The bad rows the report previews: `{ line, code, text }`. */
  async csvErrors() {
    return this.frame.locator('[data-testid="admin-csv-error"]').evaluateAll((rows) => rows.map((tr) => ({
      line: Number(tr.getAttribute('data-line')), code: tr.getAttribute('data-code'), text: tr.textContent,
    })));
  }

  /** Imports the file whose dry run was clean; resolves once the report says it was imported. */
  async importCsv() {
    await this.frame.getByTestId('admin-csv-import').click();
    await this.frame.locator('[data-testid="admin-csv-report"][data-outcome="imported"]').waitFor();
  }
}
