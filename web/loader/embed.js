//! embed.js — the one script a CRM page includes: mounts the Tsunagu widget in an isolated iframe.
//
// Usage: <script src="https://<tsunagu-origin>/embed.js" data-tenant="demo" async></script>
//        then Tsunagu.init({ getEmbedToken }) — see web/INTEGRATION.md and embed.d.ts.
//        `data-container="#softphone"` (or init's `container`) puts the widget in the CRM's own
//        panel; without it the widget floats bottom-right with a minimise button.
//
// The widget runs in an iframe served from the Tsunagu origin, so the host page can never read the
// agent's session or Twilio token (see ARCHITECTURE.md, "Embedding"). The iframe sits in a closed
// shadow root with inline !important styles, so CRM CSS can neither hide nor restyle it.
//
// Host <-> widget messages are `{ tsunagu: 1, type, ...payload }`, posted with an explicit target
// origin and accepted only from the widget's own window and origin (never '*').
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.Tsunagu) return; // Included twice: keep the first widget.

  var MAJOR = 1; // Major version of the host <-> widget messages; another major is refused.
  var VERSION = '1.1.0'; // 1.1: setMinimized, container
  var EVENTS = ['ready', 'signed-in', 'signed-out', 'presence', 'ring', 'dialing', 'dial_cancelled', 'accepted', 'hold', 'resumed', 'ended', 'wrap_up', 'notification', 'error'];
  var defaultTenant = script.getAttribute('data-tenant') || '';
  var defaultContainer = script.getAttribute('data-container') || null;
  var widgetOrigin = new URL(script.src).origin;
  var handlers = {};
  var frame = null;      // the iframe, once mounted
  var mounted = null;    // { element, tenant, container } of the mounted widget
  var toggle = null;     // the floating widget's minimise / restore button
  var minimized = false; // the floating widget is folded down to its header
  var peerReady = false; // the widget said hello with our major version
  var config = null;     // the options of init()
  var outbox = [];       // messages for the widget before its hello
  var ignored = 0;       // messages from other windows or origins

  function emit(type, detail) {
    (handlers[type] || []).slice().forEach(function (handler) {
      try { handler(detail); } catch (err) { setTimeout(function () { throw err; }); }
    });
  }

  function fail(code, message) { emit('error', { code: code, message: message }); }

  function post(message) {
    message.tsunagu = MAJOR;
    if (!peerReady) { outbox.push(message); return; }
    frame.contentWindow.postMessage(message, widgetOrigin);
  }

  function sendToken(id) {
    var getToken = config && config.getEmbedToken;
    Promise.resolve()
      .then(function () {
        if (typeof getToken !== 'function') throw new Error('init({ getEmbedToken }) was not called');
        return getToken();
      })
      .then(function (token) {
        if (typeof token !== 'string' || !token) throw new Error('getEmbedToken() did not resolve to a string');
        post({ type: 'token', id: id, token: token });
      }, function (err) {
        var message = String((err && err.message) || err);
        post({ type: 'token-error', id: id, message: message });
        fail('token_unavailable', message);
      });
  }

  function receive(event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== widgetOrigin) {
      ignored += 1;
      if (console.debug) console.debug('[tsunagu] ignored a message from another window or origin (' + ignored + ')');
      return;
    }
    var data = event.data;
    if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
    if (data.tsunagu !== MAJOR) {
      peerReady = false;
      fail('incompatible_host', 'The widget speaks host-message version ' + data.tsunagu +
        ', this embed.js speaks ' + MAJOR + '. Reload the page.');
      return;
    }
    if (data.type === 'hello') {
      peerReady = true;
      var queued = outbox.splice(0);
      post({ type: 'hello', version: VERSION });
      if (config) post({ type: 'init', lang: config.lang || null });
      if (phoneOwner !== null) post({ type: 'phone', owner: phoneOwner });
      queued.forEach(function (message) { if (message.type !== 'init' && message.type !== 'phone') post(message); });
      emit('ready', { version: String(data.version || '') });
    } else if (data.type === 'token-request') {
      sendToken(data.id);
    } else if (data.type === 'notify') {
      showNotification(data);
    } else if (data.type === 'notify-close') {
      closeNotification(String(data.tag || ''));
    } else if (data.type === 'event' && EVENTS.indexOf(data.event) >= 0 && data.event !== 'ready') {
      // A call the agent must see unfolds a minimised widget.
      if (data.event === 'ring' || data.event === 'dialing') setMinimized(false);
      emit(data.event, data.detail || {});
    }
  }

  // One phone per agent across tabs: this page holds a Web Lock per tenant while it owns the
  // phone, and tells its widget. Locks live here, in the CRM's own (first-party) page: browsers
  // deny them to cross-site iframes such as the widget. The browser hands the lock to a waiting
  // tab when the owner closes or reloads, so there is no heartbeat and no stale owner.
  var phoneOwner = null;

  function setPhoneOwner(owner) {
    phoneOwner = owner;
    post({ type: 'phone', owner: owner });
  }

  function claimPhone(tenant) {
    var locks = navigator.locks;
    if (!locks || typeof locks.request !== 'function') { setPhoneOwner(true); return; }
    var name = 'tsunagu-phone:' + tenant;
    var hold = function () { setPhoneOwner(true); return new Promise(function () { /* held until unload */ }); };
    locks.request(name, { ifAvailable: true }, function (lock) {
      if (lock) return hold();
      setPhoneOwner(false);
      locks.request(name, hold).catch(function () { setPhoneOwner(true); });
      return undefined;
    }).catch(function () { setPhoneOwner(true); });
  }

  // Desktop notifications are shown by this (first-party) page: browsers refuse them to
  // cross-origin iframes. Only the widget that owns the agent's phone asks, once per call.
  var notifications = {};

  function showNotification(data) {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    var tag = String(data.tag || '');
    closeNotification(tag);
    try {
      var shown = new Notification(String(data.title || ''), {
        body: String(data.body || ''), tag: 'tsunagu-' + tag, requireInteraction: true
      });
      shown.onclick = function () { window.focus(); shown.close(); };
      notifications[tag] = shown;
      emit('notification', { tag: tag });
    } catch (_) { /* a browser that only allows notifications from a service worker */ }
  }

  function closeNotification(tag) {
    var shown = notifications[tag];
    if (shown) { delete notifications[tag]; try { shown.close(); } catch (_) { /* already gone */ } }
  }

  function setStyles(element, styles) {
    for (var name in styles) element.style.setProperty(name, styles[name], 'important');
  }

  // The floating widget's height, and its button just above its top right corner.
  var FLOATING_HEIGHT = 'min(560px, calc(100vh - 32px))';
  var MINIMIZED_HEIGHT = '60px'; // the widget's header: the agent's name and status stay visible

  function layoutFloating() {
    if (!frame || !toggle) return;
    var height = minimized ? MINIMIZED_HEIGHT : FLOATING_HEIGHT;
    setStyles(frame, { height: height });
    setStyles(toggle, { bottom: 'calc(16px + ' + height + ' + 6px)' });
    toggle.textContent = minimized ? '\u25B4 Tsunagu' : '\u25BE';
    toggle.setAttribute('aria-expanded', String(!minimized));
    toggle.setAttribute('aria-label', minimized ? 'Tsunagu を元に戻す / Restore Tsunagu' : 'Tsunagu を最小化 / Minimize Tsunagu');
    toggle.title = toggle.getAttribute('aria-label');
  }

  function setMinimized(flag) {
    minimized = !!flag;
    layoutFloating();
  }

  function resolveContainer(container) {
    if (typeof container === 'string') return document.querySelector(container);
    return container && container.nodeType === 1 ? container : null;
  }

  /** Calls fn with the element `wanted` names (null: floating), once the document has it. */
  function withContainer(wanted, fn) {
    if (!wanted) { fn(null); return; }
    var found = resolveContainer(wanted);
    if (!found && document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', function () { withContainer(wanted, fn); }, { once: true });
      return;
    }
    if (!found) fail('container_not_found', 'No element matches the Tsunagu container; the widget floats instead.');
    fn(found);
  }

  function mount(tenant, container) {
    var host = document.createElement('tsunagu-widget');
    var shadow = host.attachShadow({ mode: 'closed' });
    if (mounted) mounted.element.remove();
    mounted = { element: host, tenant: tenant, container: container };
    peerReady = false;
    toggle = null;
    frame = document.createElement('iframe');
    frame.src = widgetOrigin + '/widget?tenant=' + encodeURIComponent(tenant) +
      '&host=' + encodeURIComponent(location.origin);
    frame.title = 'Tsunagu';
    // Delegate the microphone (and sound) to the widget's origin only.
    frame.allow = 'microphone ' + widgetOrigin + '; autoplay ' + widgetOrigin;
    var always = { border: '0', background: '#fff', display: 'block', visibility: 'visible', opacity: '1' };
    setStyles(frame, always);
    if (container) {
      // In the CRM's own panel: the widget fills it (the panel decides the size).
      setStyles(host, { display: 'block', width: '100%', height: '100%' });
      setStyles(frame, { width: '100%', height: '100%' });
      shadow.appendChild(frame);
      container.appendChild(host);
      return;
    }
    setStyles(frame, {
      position: 'fixed', right: '16px', bottom: '16px', width: '360px',
      'max-width': 'calc(100vw - 32px)', 'border-radius': '12px',
      'box-shadow': '0 8px 32px rgba(0,0,0,.25)', 'z-index': '2147483647'
    });
    toggle = document.createElement('button');
    toggle.type = 'button';
    setStyles(toggle, {
      position: 'fixed', right: '16px', 'z-index': '2147483647', margin: '0', padding: '4px 12px',
      'min-width': '44px', 'min-height': '28px', border: '1px solid #8a94a6', 'border-radius': '14px',
      background: '#fff', color: '#1d3557', font: '600 14px/1.2 system-ui, sans-serif', cursor: 'pointer',
      'box-shadow': '0 2px 8px rgba(0,0,0,.2)', display: 'block', visibility: 'visible', opacity: '1'
    });
    toggle.addEventListener('click', function () { setMinimized(!minimized); });
    shadow.appendChild(frame);
    shadow.appendChild(toggle);
    layoutFloating();
    document.body.appendChild(host);
  }

  /** Mounts (or moves) the widget for `tenant` in `container` (null: floating). */
  function mountFor(tenant, container) {
    if (mounted && mounted.tenant === tenant && mounted.container === container) return;
    mount(tenant, container);
  }

  function whenBody(fn) {
    if (document.body) fn();
    else document.addEventListener('DOMContentLoaded', fn, { once: true });
  }

  window.addEventListener('message', receive);

  window.Tsunagu = Object.freeze({
    version: VERSION,
    /** Starts sign-in: the widget calls getEmbedToken() whenever it needs a new session. */
    init: function (options) {
      options = options || {};
      if (typeof options.getEmbedToken !== 'function') {
        throw new TypeError('Tsunagu.init needs { getEmbedToken: () => Promise<string> }');
      }
      if (config) { fail('already_initialized', 'Tsunagu.init was already called.'); return; }
      config = { tenant: options.tenant || defaultTenant, getEmbedToken: options.getEmbedToken, lang: options.lang,
        container: options.container || defaultContainer };
      whenBody(function () {
        withContainer(config.container, function (container) { mountFor(config.tenant, container); });
      });
      post({ type: 'init', lang: config.lang || null });
      claimPhone(config.tenant);
    },
    /** 'available' | 'offline' | { away: 'break' | 'lunch' | 'meeting' | 'training' | 'other' } */
    setPresence: function (state) { post({ type: 'set-presence', status: state }); },
    /**
     * Click-to-call: the widget shows `number` with Call / Cancel (unless the tenant allows direct
     * dialling); on the agent's click their phone rings and is answered at once, then `number` is
     * dialled from the tenant's line. Emits `dialing`, then `accepted`/`ended`; `dial_cancelled`
     * on Cancel; or `error` with code `invalid_number`, `agent_busy`, `not_signed_in`,
     * `dial_failed` or `dial_refused` (the tenant's dial policy; `reason` says why).
     */
    dial: function (number, options) {
      if (typeof number !== 'string' || !number.trim()) {
        setTimeout(function () { fail('invalid_number', 'Tsunagu.dial needs a phone number string.'); });
        return;
      }
      var customerId = options && typeof options.customerId === 'string' ? options.customerId : null;
      // The widget shows the number for the agent's Call / Cancel: unfold it so they see it.
      setMinimized(false);
      post({ type: 'dial', number: number, customerId: customerId });
    },
    /**
     * Asks the agent to allow desktop notifications for incoming calls (call it from a click:
     * browsers ignore the request otherwise). Resolves with 'granted', 'denied', 'default' or
     * 'unsupported'.
     */
    enableNotifications: function () {
      if (typeof Notification === 'undefined') return Promise.resolve('unsupported');
      if (Notification.permission !== 'default') return Promise.resolve(Notification.permission);
      return Promise.resolve(Notification.requestPermission());
    },
    /**
     * Folds the floating widget down to its header (true) or unfolds it (false); a ringing or
     * dialled call unfolds it by itself. No effect when the widget sits in a container.
     */
    setMinimized: function (flag) { setMinimized(flag); },
    /** Subscribes to an event; returns a function that unsubscribes. */
    on: function (type, handler) {
      if (EVENTS.indexOf(type) < 0) throw new TypeError('unknown Tsunagu event: ' + type);
      (handlers[type] = handlers[type] || []).push(handler);
      return function () {
        var list = handlers[type] || [];
        var at = list.indexOf(handler);
        if (at >= 0) list.splice(at, 1);
      };
    }
  });

  // Mount right away with the script tag's tenant (the widget shows "sign-in required" until
  // init); init({ tenant }) with another tenant mounts that tenant's widget instead.
  whenBody(function () {
    withContainer((config && config.container) || defaultContainer, function (container) {
      if (!mounted) mount((config && config.tenant) || defaultTenant, container);
    });
  });
  try { window.dispatchEvent(new Event('tsunagu:loaded')); } catch (_) { /* very old browsers */ }
})();
