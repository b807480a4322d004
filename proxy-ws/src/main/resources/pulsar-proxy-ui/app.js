// Streams a topic through the proxy's public WebSocket API (Pulsar's protocol) and produces to it through the
// WebSocket producer API or the REST API. No framework, no build step.
//
// Query string: ?topic=…&subscription=…&type=Shared&position=Earliest&autoAck=false&autoconnect=1
'use strict';

(function () {
  const MAX_SHOWN = 500;          // messages kept on the page; older ones are dropped from the list
  const MAX_RECONNECT_DELAY = 30000;

  const $ = (id) => document.getElementById(id);
  const ui = {
    state: $('state'),
    form: $('subscribe-form'),
    token: $('token'),
    topic: $('topic'),
    subscription: $('subscription'),
    type: $('type'),
    position: $('position'),
    autoAck: $('auto-ack'),
    connect: $('connect'),
    disconnect: $('disconnect'),
    messages: $('messages'),
    count: $('count'),
    clear: $('clear'),
    template: $('message-template'),
    produceForm: $('produce-form'),
    producePayload: $('produce-payload'),
    produceKey: $('produce-key'),
    produceProperties: $('produce-properties'),
    produceVia: $('produce-via'),
    produceResult: $('produce-result'),
  };

  let socket = null;          // the consumer socket
  let wanted = false;         // the user wants to be connected: reconnect after a drop
  let attempts = 0;
  let reconnectTimer = null;
  let received = 0;
  let producer = null;        // {topic, socket, ready: Promise, pending: Map<context, {resolve, reject}>}
  let nextContext = 1;

  // ---- helpers ------------------------------------------------------------------------------------------------

  function setState(state, text) {
    ui.state.dataset.state = state;
    ui.state.textContent = text;
  }

  // persistent://tenant/ns/name -> ['persistent', 'tenant', 'ns', 'name']; a short name is in public/default.
  function topicParts(topic) {
    const t = topic.trim();
    const m = t.match(/^(persistent|non-persistent):\/\/([^/]+)\/([^/]+)\/(.+)$/);
    if (m) {
      return [m[1], m[2], m[3], m[4]];
    }
    if (!t.includes('://') && t.length > 0) {
      const parts = t.split('/');
      return parts.length === 3 ? ['persistent', ...parts] : ['persistent', 'public', 'default', t];
    }
    throw new Error('not a topic name: ' + topic);
  }

  // The path segments of a topic; the topic's own name is one segment (a "/" in it is percent-encoded).
  function topicPath(topic) {
    return topicParts(topic).map(encodeURIComponent).join('/');
  }

  function wsBase() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
  }

  function toBase64(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  // Payload as text, pretty-printed when it is JSON; null when it is not UTF-8.
  function describePayload(base64) {
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    let text;
    try {
      text = new TextDecoder('utf-8', {fatal: true}).decode(bytes);
    } catch (e) {
      return {text: bytes.length + ' bytes of binary data (base64 ' + base64.slice(0, 64) + (base64.length > 64 ? '…' : '') + ')', binary: true};
    }
    try {
      const value = JSON.parse(text);
      if (value !== null && typeof value === 'object') {
        return {text: JSON.stringify(value, null, 2), json: true};
      }
    } catch (e) {
      // plain text
    }
    return {text: text};
  }

  function parseProperties(raw) {
    const text = raw.trim();
    if (!text) {
      return {};
    }
    if (text.startsWith('{')) {
      return JSON.parse(text);
    }
    const properties = {};
    for (const pair of text.split(',')) {
      const at = pair.indexOf('=');
      if (at > 0) {
        properties[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
      }
    }
    return properties;
  }

  // ---- consuming ----------------------------------------------------------------------------------------------

  // Browsers cannot set headers on a WebSocket: a token goes in ?token=, as Pulsar's WebSocket service accepts it.
  function withToken(query) {
    const token = ui.token.value.trim();
    if (token) {
      query.set('token', token);
    }
    return query;
  }

  function consumerUrl() {
    const query = withToken(new URLSearchParams({
      subscriptionType: ui.type.value,
      subscriptionInitialPosition: ui.position.value,
    }));
    return wsBase() + '/ws/v2/consumer/' + topicPath(ui.topic.value) + '/'
        + encodeURIComponent(ui.subscription.value.trim()) + '?' + query;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'reconnecting');
    }
    let url;
    try {
      url = consumerUrl();
    } catch (e) {
      setState('failed', e.message);
      return;
    }
    wanted = true;
    ui.connect.disabled = true;
    ui.disconnect.disabled = false;
    setState(attempts > 0 ? 'reconnecting' : 'connecting', attempts > 0 ? 'reconnecting…' : 'connecting…');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      setState('open', 'connected to ' + ui.topic.value.trim() + ' as ' + ui.subscription.value.trim());
    };
    ws.onmessage = (event) => onFrame(ws, event.data);
    ws.onclose = (event) => {
      if (socket !== ws) {
        return;
      }
      socket = null;
      if (!wanted) {
        setState('idle', 'disconnected');
        return;
      }
      // A refused handshake and a dropped connection look alike to a browser (1006): retry with backoff.
      const delay = Math.min(MAX_RECONNECT_DELAY, 500 * Math.pow(2, attempts));
      attempts++;
      const why = event.reason ? ' (' + event.code + ' ' + event.reason + ')' : ' (' + event.code + ')';
      setState('reconnecting', 'connection lost' + why + '; reconnecting in ' + Math.round(delay / 100) / 10 + ' s');
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  function disconnect() {
    wanted = false;
    attempts = 0;
    clearTimeout(reconnectTimer);
    ui.connect.disabled = false;
    ui.disconnect.disabled = true;
    if (socket) {
      socket.close(1000, 'closed by the user');
    } else {
      setState('idle', 'disconnected');
    }
  }

  function onFrame(ws, data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!frame.messageId) {
      return;
    }
    received++;
    ui.count.textContent = String(received);
    const item = render(frame);
    if (ui.autoAck.checked) {
      ws.send(JSON.stringify({messageId: frame.messageId}));
      item.classList.add('done');
    } else {
      item.querySelector('.ack').addEventListener('click', () => answer(ws, item, frame.messageId, false));
      item.querySelector('.nack').addEventListener('click', () => answer(ws, item, frame.messageId, true));
    }
  }

  function answer(ws, item, messageId, negative) {
    if (ws.readyState !== WebSocket.OPEN) {
      return; // the subscription redelivers it on the next connection
    }
    ws.send(JSON.stringify(negative ? {type: 'negativeAcknowledge', messageId: messageId} : {messageId: messageId}));
    item.classList.add('done');
    item.querySelector('.acked').textContent = negative ? 'negatively acknowledged' : 'acknowledged';
  }

  function render(frame) {
    const item = ui.template.content.firstElementChild.cloneNode(true);
    item.dataset.messageId = frame.messageId;
    const time = item.querySelector('.publish-time');
    time.dateTime = frame.publishTime;
    time.textContent = new Date(frame.publishTime).toLocaleString();
    item.querySelector('.key').textContent = frame.key || '';
    item.querySelector('.redelivery').textContent =
        frame.redeliveryCount ? 'redelivered ' + frame.redeliveryCount + '×' : '';
    item.querySelector('.id').textContent = frame.messageId;
    const properties = item.querySelector('.properties');
    for (const [name, value] of Object.entries(frame.properties || {})) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      properties.append(dt, dd);
    }
    const payload = describePayload(frame.payload || '');
    const pre = item.querySelector('.payload');
    pre.textContent = payload.text;
    pre.classList.toggle('json', Boolean(payload.json));
    pre.classList.toggle('binary', Boolean(payload.binary));
    ui.messages.prepend(item);
    while (ui.messages.children.length > MAX_SHOWN) {
      ui.messages.lastElementChild.remove();
    }
    return item;
  }

  // ---- producing ----------------------------------------------------------------------------------------------

  function produceResult(ok, text) {
    ui.produceResult.className = 'result ' + (ok ? 'ok' : 'bad');
    ui.produceResult.textContent = text;
  }

  function webSocketProducer(topic) {
    if (producer && producer.topic === topic && producer.socket.readyState <= WebSocket.OPEN) {
      return producer;
    }
    if (producer) {
      producer.socket.close(1000, 'topic changed');
    }
    const query = withToken(new URLSearchParams()).toString();
    const ws = new WebSocket(wsBase() + '/ws/v2/producer/' + topicPath(topic) + (query ? '?' + query : ''));
    const pending = new Map();
    const ready = new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('the producer connection failed'));
    });
    ws.onmessage = (event) => {
      const ack = JSON.parse(event.data);
      const waiter = pending.get(ack.context);
      if (waiter) {
        pending.delete(ack.context);
        waiter(ack);
      }
    };
    ws.onclose = () => {
      for (const waiter of pending.values()) {
        waiter({result: 'closed', errorMsg: 'the producer connection closed'});
      }
      pending.clear();
    };
    producer = {topic: topic, socket: ws, ready: ready, pending: pending};
    return producer;
  }

  async function produceOverWebSocket(topic, message) {
    const p = webSocketProducer(topic);
    await p.ready;
    const context = 'page-' + nextContext++;
    const ack = await new Promise((resolve) => {
      p.pending.set(context, resolve);
      const frame = {payload: toBase64(message.text), properties: message.properties, context: context};
      if (message.key) {
        frame.key = message.key;
      }
      p.socket.send(JSON.stringify(frame));
    });
    if (ack.result !== 'ok') {
      throw new Error(ack.result + ': ' + (ack.errorMsg || ''));
    }
    return ack.messageId;
  }

  async function produceOverRest(topic, message) {
    const body = {messages: [{text: message.text, properties: message.properties}]};
    if (message.key) {
      body.messages[0].key = message.key;
    }
    const headers = {'Content-Type': 'application/json'};
    if (ui.token.value.trim()) {
      headers.Authorization = 'Bearer ' + ui.token.value.trim();
    }
    const response = await fetch('/api/v1/topics/' + topicPath(topic) + '/messages', {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(response.status + ' ' + (answer.message || answer.error));
    }
    return answer.results[0].messageId;
  }

  async function produce(event) {
    event.preventDefault();
    const topic = ui.topic.value.trim();
    let message;
    try {
      message = {
        text: ui.producePayload.value,
        key: ui.produceKey.value.trim(),
        properties: parseProperties(ui.produceProperties.value),
      };
    } catch (e) {
      produceResult(false, 'properties: ' + e.message);
      return;
    }
    try {
      const id = ui.produceVia.value === 'rest'
          ? await produceOverRest(topic, message)
          : await produceOverWebSocket(topic, message);
      produceResult(true, 'sent, message id ' + id);
    } catch (e) {
      produceResult(false, 'not sent: ' + e.message);
    }
  }

  // ---- wiring -------------------------------------------------------------------------------------------------

  function applyQuery() {
    const q = new URLSearchParams(location.search);
    ui.topic.value = q.get('topic') || ui.topic.value;
    // A token in the page's address (#token=…) is taken and removed from the address bar and history.
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get('token')) {
      ui.token.value = fragment.get('token');
      history.replaceState(null, '', location.pathname + location.search);
    }
    ui.subscription.value = q.get('subscription') || 'browser-' + Math.random().toString(36).slice(2, 8);
    if (q.get('type')) {
      ui.type.value = q.get('type');
    }
    if (q.get('position')) {
      ui.position.value = q.get('position');
    }
    if (q.get('autoAck') === 'false') {
      ui.autoAck.checked = false;
    }
    return q.get('autoconnect') === '1';
  }

  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    attempts = 0;
    connect();
  });
  ui.disconnect.addEventListener('click', disconnect);
  ui.clear.addEventListener('click', () => {
    ui.messages.replaceChildren();
    received = 0;
    ui.count.textContent = '0';
  });
  ui.produceForm.addEventListener('submit', produce);

  // For scripted use and tests: the current consumer socket.
  window.pulsarProxyPage = {socket: () => socket};

  if (applyQuery()) {
    connect();
  }
})();
