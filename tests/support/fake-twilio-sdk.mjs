//! A stand-in for Twilio's Voice SDK bundle (`Twilio.Device`, `Twilio.Call`) that records what the widget asks of it, for browser tests.
//
// Served in place of the widget's hashed `twilio-voice.<hash>.js` with `routeFakeTwilioSdk(context)`.
// In the widget frame, `window.__fakeTwilio` holds { devices: [Device], calls: [Call] }; every
// Device and Call keeps `log` (the methods the widget called, in order) and `listeners` (by event
// name), and the tests drive them with `emit(event, ...args)` and `device.ring(callSid, params)`.

/** The fake SDK, as the browser bundle defines it: a classic script that sets `window.Twilio`. */
export const FAKE_TWILIO_SDK = `(function () {
  class Emitter {
    constructor() { this.listeners = {}; }
    on(event, listener) { (this.listeners[event] = this.listeners[event] || []).push(listener); return this; }
    removeListener(event, listener) {
      this.listeners[event] = (this.listeners[event] || []).filter(function (l) { return l !== listener; });
      return this;
    }
    emit(event) {
      var args = Array.prototype.slice.call(arguments, 1);
      (this.listeners[event] || []).slice().forEach(function (l) { l.apply(null, args); });
    }
    listenerTotal() {
      var self = this;
      return Object.keys(this.listeners).reduce(function (n, e) { return n + self.listeners[e].length; }, 0);
    }
  }
  var record = window.__fakeTwilio = { devices: [], calls: [] };
  class Call extends Emitter {
    constructor(callSid, from, params) {
      super();
      this.parameters = { CallSid: callSid, From: from };
      this.customParameters = new Map(Object.entries(params));
      this.log = [];
    }
    accept() { this.log.push('accept'); var self = this; setTimeout(function () { self.emit('accept', self); }, 0); }
    reject() { this.log.push('reject'); this.emit('reject'); }
    disconnect() { this.log.push('disconnect'); this.emit('disconnect', this); }
    mute(muted) { this.log.push('mute:' + muted); }
    sendDigits(digits) { this.log.push('digits:' + digits); }
  }
  class Device extends Emitter {
    constructor(token, options) {
      super();
      this.token = token;
      this.options = JSON.parse(JSON.stringify(options || {}));
      this.log = ['new'];
      this.tokens = [token];
      var self = this;
      this.audio = { incoming: function (on) { self.log.push('audio.incoming:' + on); } };
      record.devices.push(this);
    }
    register() {
      this.log.push('register');
      var self = this;
      return new Promise(function (resolve) { setTimeout(function () { self.emit('registered'); resolve(); }, 0); });
    }
    updateToken(token) { this.log.push('updateToken'); this.token = token; this.tokens.push(token); }
    destroy() { this.log.push('destroy'); }
    ring(callSid, from, params) {
      var call = new Call(callSid, from, params);
      record.calls.push(call);
      this.emit('incoming', call);
      return call;
    }
  }
  window.Twilio = { Device: Device, Call: Call };
})();
`;

/** The widget's hashed SDK file, whatever its hash. */
export const TWILIO_SDK_URL = /\/assets\/twilio-voice\.[0-9a-f]{12}\.js$/;

/** Serves FAKE_TWILIO_SDK for every request of the SDK file in `context`; returns the URLs requested. */
export async function routeFakeTwilioSdk(context) {
  const requested = [];
  await context.route(TWILIO_SDK_URL, (route) => {
    requested.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: FAKE_TWILIO_SDK });
  });
  return requested;
}
