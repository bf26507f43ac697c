//! embed.js — the one script a CRM page includes: mounts the Tsunagu widget in an isolated iframe.
//
// Usage: <script src="https://<tsunagu-origin>/embed.js" data-tenant="demo" async></script>
//
// The widget runs in an iframe served from the Tsunagu origin, so the host page can never read the
// agent's session or Twilio token (see ARCHITECTURE.md, "Embedding"). The iframe sits in a closed
// shadow root with inline !important styles, so CRM CSS can neither hide nor restyle it.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.Tsunagu) return; // Included twice: keep the first widget.

  var tenant = script.getAttribute('data-tenant') || '';
  var origin = new URL(script.src).origin;

  function mount() {
    var host = document.createElement('tsunagu-widget');
    var shadow = host.attachShadow({ mode: 'closed' });
    var frame = document.createElement('iframe');
    frame.src = origin + '/widget?tenant=' + encodeURIComponent(tenant);
    frame.title = 'Tsunagu';
    // Delegate the microphone (and sound) to the widget's origin only.
    frame.allow = 'microphone ' + origin + '; autoplay ' + origin;
    var style = {
      position: 'fixed', right: '16px', bottom: '16px', width: '360px', height: '560px',
      'max-width': 'calc(100vw - 32px)', 'max-height': 'calc(100vh - 32px)',
      border: '0', 'border-radius': '12px', 'box-shadow': '0 8px 32px rgba(0,0,0,.25)',
      background: '#fff', 'z-index': '2147483647', display: 'block', visibility: 'visible', opacity: '1'
    };
    for (var name in style) frame.style.setProperty(name, style[name], 'important');
    shadow.appendChild(frame);
    document.body.appendChild(host);
    window.Tsunagu = Object.freeze({ version: 1, origin: origin, tenant: tenant });
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
})();
