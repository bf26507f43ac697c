//! The host side of the widget's API for a stand-in CRM page: listens to every Tsunagu event and logs it like the demo CRM does.

export const TSUNAGU_EVENTS = ['ready', 'signed-in', 'signed-out', 'presence', 'ring', 'dialing', 'dial_cancelled', 'accepted', 'hold', 'resumed', 'ended', 'wrap_up', 'notification', 'error'];

/**
 * A `<script>` for `startHostPage(…, { extraHead })`: once embed.js has loaded, subscribes to every
 * event and appends it to `<ol id="tsunagu-log">` (`data-event`, `data-detail` as JSON), the same
 * markup as the demo CRM. With `signIn`, calls `Tsunagu.init` with `getEmbedToken` bound to the
 * page's `nextEmbedToken()` (a function the test exposes with `page.exposeFunction`).
 */
export function hostApiScript({ signIn = false, lang } = {}) {
  const init = signIn
    ? `Tsunagu.init({ getEmbedToken: function () { return window.nextEmbedToken(); }${lang ? `, lang: ${JSON.stringify(lang)}` : ''} });`
    : '';
  return `<script>
addEventListener('tsunagu:loaded', function () {
  ${JSON.stringify(TSUNAGU_EVENTS)}.forEach(function (type) {
    Tsunagu.on(type, function (detail) {
      var log = document.getElementById('tsunagu-log');
      if (!log) { log = document.createElement('ol'); log.id = 'tsunagu-log'; document.body.appendChild(log); }
      var line = document.createElement('li');
      line.setAttribute('data-event', type);
      line.setAttribute('data-detail', JSON.stringify(detail));
      line.textContent = type + ' ' + JSON.stringify(detail);
      log.appendChild(line);
    });
  });
  ${init}
});
</script>`;
}
