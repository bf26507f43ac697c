// Tsunagu "call us" page: places a browser voice call into the contact center (WebRTC).
// Served by the worker at /webcall.js; the page embeds its config as JSON (#webcall-config).
// Signalling goes over the hub socket (/api/webcall/socket); audio flows peer to peer.
(function () {
  'use strict';

  var TEXTS = {
    ja: {
      title: 'お電話でのお問い合わせ',
      name: 'お名前（任意）',
      number: '電話番号（任意）',
      call: '発信',
      mute: 'ミュート',
      unmute: 'ミュート解除',
      hang_up: '切る',
      note: 'ブラウザのマイクを使って通話します。通話はお客様と担当者の間で直接つながります。',
      other_lang: 'English',
      idle: '',
      calling: '発信しています…',
      queued: 'ただいま順番にお繋ぎしています。現在 {n} 番目です。このままお待ちください。',
      ringing: '担当者を呼び出しています…',
      connected: '通話中',
      off: '申し訳ございません。現在、ウェブからのお電話は受け付けておりません。',
      ended: {
        caller_hung_up: '通話を終了しました。',
        agent_hung_up: '担当者が通話を終了しました。ありがとうございました。',
        agent_disconnected: '担当者との接続が切れました。おそれいりますが、もう一度おかけください。',
        closed: 'ただいま受付時間外です。受付時間内にあらためてお問い合わせください。',
        busy: 'ただいま大変混み合っています。しばらくしてからおかけ直しください。',
        unavailable: 'ただいまお繋ぎできません。しばらくしてからおかけ直しください。',
        wait_too_long: '大変お待たせして申し訳ございません。ただいまお繋ぎできません。しばらくしてからおかけ直しください。',
        lost: '接続が切れました。もう一度おかけください。',
        mic: 'マイクを使えません。ブラウザのマイクの許可をご確認ください。',
        incompatible: 'ページが古くなっています。再読み込みしてからおかけください。',
        other: '通話が終了しました。'
      }
    },
    en: {
      title: 'Call us',
      name: 'Your name (optional)',
      number: 'Phone number (optional)',
      call: 'Call',
      mute: 'Mute',
      unmute: 'Unmute',
      hang_up: 'Hang up',
      note: 'The call uses your browser\'s microphone and connects you directly with our agent.',
      other_lang: '日本語',
      idle: '',
      calling: 'Calling…',
      queued: 'All our agents are busy. You are number {n} in line; please hold.',
      ringing: 'Ringing an agent…',
      connected: 'Connected',
      off: 'Sorry, we do not take calls from the web at the moment.',
      ended: {
        caller_hung_up: 'You ended the call.',
        agent_hung_up: 'The agent ended the call. Thank you for calling.',
        agent_disconnected: 'The agent\'s connection was lost. Please call again.',
        closed: 'We are closed now. Please call again during business hours.',
        busy: 'All lines are busy. Please try again in a few minutes.',
        unavailable: 'We cannot take your call now. Please try again later.',
        wait_too_long: 'We are sorry to have kept you waiting: nobody could take your call. Please try again later.',
        lost: 'The connection was lost. Please call again.',
        mic: 'The microphone is not available. Please allow it in your browser.',
        incompatible: 'This page is out of date. Please reload it and call again.',
        other: 'The call has ended.'
      }
    }
  };

  var config = JSON.parse(document.getElementById('webcall-config').textContent);
  var root = document.getElementById('webcall');
  function el(id) { return document.getElementById(id); }

  var lang = /[?&]lang=en/.test(location.search) ||
    (!/[?&]lang=ja/.test(location.search) && !/^ja/i.test(navigator.language || 'ja')) ? 'en' : 'ja';
  // A tenant that takes no web calls: the page says so and offers no Call button.
  var state = config.enabled ? 'idle' : 'off';
  var position = 0;
  var endReason = null;
  var ws = null;
  var pc = null;
  var local = null;
  var muted = false;
  var remoteDescribed = false;
  var pendingCandidates = [];
  var connectedAt = 0;
  var clock = null;
  var keepalive = null;

  function t(key) { return TEXTS[lang][key]; }

  function render() {
    document.documentElement.lang = lang;
    root.setAttribute('data-state', state);
    root.setAttribute('data-lang', lang);
    document.querySelectorAll('[data-text]').forEach(function (node) {
      node.textContent = t(node.getAttribute('data-text'));
    });
    el('company').textContent = config.name[lang];
    el('lang').textContent = t('other_lang');
    el('mute').textContent = muted ? t('unmute') : t('mute');
    var status = '';
    if (state === 'queued') status = t('queued').replace('{n}', String(position));
    else if (state === 'ended') status = TEXTS[lang].ended[endReason] || TEXTS[lang].ended.other;
    else status = t(state);
    el('status').textContent = status;
    root.setAttribute('data-position', state === 'queued' ? String(position) : '');
    root.setAttribute('data-end-reason', state === 'ended' ? (endReason || 'other') : '');
    var live = state === 'calling' || state === 'queued' || state === 'ringing' || state === 'connected';
    el('call').hidden = live || state === 'off';
    el('caller').hidden = state === 'off';
    el('hang-up').hidden = !live;
    el('mute').hidden = state !== 'connected';
    el('timer').hidden = state !== 'connected' && !(state === 'ended' && connectedAt);
    el('caller-name').disabled = live;
    el('caller-number').disabled = live;
  }

  function setState(next) { state = next; render(); }

  function tick() {
    var secs = Math.floor((Date.now() - connectedAt) / 1000);
    var mm = Math.floor(secs / 60), ss = secs % 60;
    el('timer').textContent = (mm < 10 ? '0' : '') + mm + ':' + (ss < 10 ? '0' : '') + ss;
  }

  function send(message) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  function end(reason) {
    if (state === 'ended') return;
    endReason = reason;
    clearInterval(clock);
    clearInterval(keepalive);
    if (pc) pc.close();
    if (local) local.getTracks().forEach(function (track) { track.stop(); });
    local = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'ended');
    setState('ended');
  }

  function startPeer() {
    pc = new RTCPeerConnection({ iceServers: config.ice_servers || [] });
    window.__tsunaguPeer = pc;
    remoteDescribed = false;
    pendingCandidates = [];
    local.getTracks().forEach(function (track) { pc.addTrack(track, local); });
    pc.onicecandidate = function (event) {
      var c = event.candidate;
      if (!c || !c.candidate) return;
      var signal = { kind: 'candidate', candidate: c.candidate };
      if (c.sdpMid !== null && c.sdpMid !== undefined) signal.sdp_mid = c.sdpMid;
      if (c.sdpMLineIndex !== null && c.sdpMLineIndex !== undefined) signal.sdp_m_line_index = c.sdpMLineIndex;
      send({ type: 'signal', signal: signal });
    };
    pc.ontrack = function (event) {
      var audio = el('remote-audio');
      audio.srcObject = event.streams[0] || new MediaStream([event.track]);
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () {});
    };
    pc.onconnectionstatechange = function () {
      root.setAttribute('data-peer', pc.connectionState);
      if (pc.connectionState === 'failed' && state === 'connected') hangUp();
    };
    pc.createOffer()
      .then(function (offer) { return pc.setLocalDescription(offer); })
      .then(function () { send({ type: 'signal', signal: { kind: 'offer', sdp: pc.localDescription.sdp } }); })
      .catch(function (err) { console.warn('tsunagu: offer failed', err); hangUp(); });
  }

  function addCandidate(candidate) {
    pc.addIceCandidate(candidate).catch(function (err) { console.warn('tsunagu: candidate refused', err); });
  }

  function onSignal(signal) {
    if (!pc) return;
    if (signal.kind === 'answer') {
      pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp }).then(function () {
        remoteDescribed = true;
        pendingCandidates.splice(0).forEach(addCandidate);
      }).catch(function (err) { console.warn('tsunagu: answer refused', err); hangUp(); });
    } else if (signal.kind === 'candidate') {
      var candidate = {
        candidate: signal.candidate,
        sdpMid: signal.sdp_mid === undefined ? null : signal.sdp_mid,
        sdpMLineIndex: signal.sdp_m_line_index === undefined ? null : signal.sdp_m_line_index
      };
      if (remoteDescribed) addCandidate(candidate); else pendingCandidates.push(candidate);
    }
  }

  function onEvent(event) {
    switch (event.type) {
      case 'started':
        root.setAttribute('data-conversation', event.conversation);
        break;
      case 'ice_servers':
        // This call's servers, TURN credentials included (minted for it; they expire with it).
        if (Array.isArray(event.ice_servers)) config.ice_servers = event.ice_servers;
        break;
      case 'queued':
        position = event.position;
        setState('queued');
        break;
      case 'ringing':
        setState('ringing');
        break;
      case 'connected':
        connectedAt = Date.now();
        tick();
        clock = setInterval(tick, 1000);
        setState('connected');
        startPeer();
        break;
      case 'signal':
        onSignal(event.signal);
        break;
      case 'ended':
        end(event.reason);
        break;
      case 'incompatible_protocol':
        end('incompatible');
        break;
      case 'rejected':
        console.warn('tsunagu: the call service refused a message:', event.reason);
        break;
      default:
        break;
    }
  }

  function call() {
    if (state !== 'idle' && state !== 'ended') return;
    endReason = null;
    connectedAt = 0;
    muted = false;
    root.removeAttribute('data-conversation');
    root.removeAttribute('data-peer');
    setState('calling');
    // The tenant's challenge (Turnstile), when it asks for one: its token rides on the upgrade,
    // is checked by the worker once, and the widget is reset for the next call.
    var url = config.socket;
    if (config.turnstile_site_key) {
      var token = document.querySelector('#challenge [name="cf-turnstile-response"]');
      url += '&challenge=' + encodeURIComponent(token ? token.value : '');
      if (window.turnstile) window.turnstile.reset('#challenge');
    }
    navigator.mediaDevices.getUserMedia({ audio: true, video: false }).then(function (stream) {
      if (state !== 'calling') { stream.getTracks().forEach(function (track) { track.stop(); }); return; }
      local = stream;
      var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
      ws = new WebSocket(scheme + location.host + url);
      ws.onopen = function () {
        var start = { type: 'start', protocol: config.protocol };
        var name = el('caller-name').value.trim(), number = el('caller-number').value.trim();
        if (name) start.name = name;
        if (number) start.number = number;
        send(start);
        keepalive = setInterval(function () { send({ type: 'ping' }); }, 25000);
      };
      ws.onmessage = function (message) {
        var event;
        try { event = JSON.parse(message.data); } catch (e) { return; }
        onEvent(event);
      };
      // Closed before the call started: refused (all lines busy) or unreachable.
      ws.onclose = function () { end(root.hasAttribute('data-conversation') ? 'lost' : 'unavailable'); };
    }).catch(function () { end('mic'); });
  }

  function hangUp() {
    if (ws && ws.readyState === WebSocket.OPEN) {
      send({ type: 'hang_up' });
      // The hub answers `ended` and closes; if it does not, the page ends the call itself.
      setTimeout(function () { end('caller_hung_up'); }, 3000);
    } else {
      end('caller_hung_up');
    }
  }

  el('call').addEventListener('click', call);
  el('hang-up').addEventListener('click', hangUp);
  el('mute').addEventListener('click', function () {
    if (!local) return;
    muted = !muted;
    local.getAudioTracks().forEach(function (track) { track.enabled = !muted; });
    render();
  });
  el('lang').addEventListener('click', function () { lang = lang === 'ja' ? 'en' : 'ja'; render(); });
  window.addEventListener('pagehide', function () { if (ws) ws.close(1000, 'page closed'); });
  render();
})();
