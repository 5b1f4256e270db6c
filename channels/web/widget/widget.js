/*
 * Huiying (回应) web widget. Embed with one line:
 *   <script src="https://HOST/widget.js" data-title="政务服务助手" async></script>
 * Optional: data-title-en, data-lang="zh|en" (else the page's lang). Plain JS, no build step, no framework.
 * Everything lives in a shadow root; message content is only ever set with textContent.
 */
/* global window, document, location, localStorage, crypto, URL, WebSocket, fetch, MutationObserver, setTimeout, clearTimeout, setInterval, clearInterval */
(() => {
  'use strict';
  if (window.huiyingWidget) return;

  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  const data = (script && script.dataset) || {};
  const ORIGIN = new URL(script && script.src ? script.src : location.href).origin;
  const API = ORIGIN + '/channels/web';
  const SOCKET = ORIGIN.replace(/^http/, 'ws') + '/channels/web/ws';
  const KEY = 'huiying.conversation';
  const MAX = 2000;
  const POLL_MS = 4000;
  const ACK_TIMEOUT_MS = 25000;

  const TEXT = {
    zh: {
      title: data.title || '政务服务助手',
      launcher: '在线咨询',
      open: '打开在线咨询',
      unread: '打开在线咨询（有新消息）',
      close: '关闭对话窗口',
      switchTo: 'EN',
      switchLabel: 'Switch to English',
      greeting: '您好！我是政务服务智能助手，可以解答办事指南、所需材料等问题。例如：“居住证怎么办理？”',
      log: '对话记录',
      you: '您说',
      bot: '助手',
      staff: '工作人员',
      typing: '助手正在输入…',
      offline: '实时连接已断开，正在重新连接…',
      label: '输入您的问题',
      placeholder: '请输入您的问题…',
      send: '发送',
      human: '转人工',
      humanText: '转人工',
      choices: '请选择',
      links: '相关链接',
      helpful: '有帮助',
      notHelpful: '没有帮助',
      thanks: '感谢您的反馈！',
      sorry: '感谢反馈，我们会改进这条答复。',
      rateLimited: '发送太频繁，请稍后再试。',
      failed: '发送失败，请检查网络后重试。',
      tooLong: '问题太长了，请控制在 ' + MAX + ' 字以内。',
    },
    en: {
      title: data.titleEn || data.title || 'Service assistant',
      launcher: 'Ask us',
      open: 'Open the chat',
      unread: 'Open the chat (new messages)',
      close: 'Close the chat',
      switchTo: '中文',
      switchLabel: '切换到中文',
      greeting: 'Hello! I can answer questions about public services: how to apply, which documents to bring. For example: "How do I apply for a residence permit?"',
      log: 'Conversation',
      you: 'You said',
      bot: 'Assistant',
      staff: 'staff',
      typing: 'The assistant is typing…',
      offline: 'Live connection lost; reconnecting…',
      label: 'Type your question',
      placeholder: 'Type your question…',
      send: 'Send',
      human: 'Talk to a person',
      humanText: 'human',
      choices: 'Choose one',
      links: 'Related links',
      helpful: 'Helpful',
      notHelpful: 'Not helpful',
      thanks: 'Thank you for your feedback!',
      sorry: 'Thank you; we will improve this answer.',
      rateLimited: 'Too many messages; please wait a moment.',
      failed: 'Could not send; please check your connection and try again.',
      tooLong: 'That is too long; please keep it under ' + MAX + ' characters.',
    },
  };

  const ICONS = {
    chat: 'M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2z',
    close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
    send: 'M2.01 21 23 12 2.01 3 2 10l15 2-15 2z',
    thumb:
      'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z',
    person: 'M12 12c2.21 0 4-1.79 4-4s-1.79-4-4-4-4 1.79-4 4 1.79 4 4 4zm0 2c-2.67 0-8 1.34-8 4v2h16v-2c0-2.66-5.33-4-8-4z',
  };

  const CSS = `
:host{all:initial!important;display:block!important}
*{box-sizing:border-box}
[hidden]{display:none!important}
.root{--c:#0b4f9c;--c2:#083b75;font:15px/1.55 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2328}
button,textarea{font:inherit;color:inherit}
svg{width:20px;height:20px;fill:currentColor;flex:none}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;height:52px;padding:0 20px;border:0;border-radius:26px;background:var(--c);color:#fff;font-size:16px;box-shadow:0 4px 16px rgba(0,0,0,.25);cursor:pointer}
.launcher:hover{background:var(--c2)}
.launcher[aria-expanded=true]{display:none}
.badge{position:absolute;top:-3px;right:-3px;width:16px;height:16px;border-radius:50%;background:#d93025;border:2px solid #fff}
.panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;display:flex;flex-direction:column;width:380px;height:min(640px,calc(100vh - 40px));background:#fff;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.28);overflow:hidden}
.head{display:flex;align-items:center;gap:8px;padding:10px 12px 10px 16px;background:var(--c);color:#fff}
.head h2{flex:1;margin:0;font-size:17px;font-weight:600}
.head button{display:flex;align-items:center;justify-content:center;min-width:36px;height:36px;padding:0 8px;border:1px solid rgba(255,255,255,.55);border-radius:6px;background:transparent;color:#fff;cursor:pointer}
.head button:hover{background:rgba(255,255,255,.15)}
.status{padding:6px 16px;background:#fff4e5;color:#6b4100;font-size:13px}
.log{flex:1;overflow-y:auto;padding:14px 12px;background:#f4f6f9}
.msg{display:flex;flex-direction:column;align-items:flex-start;margin:0 0 14px}
.msg.me{align-items:flex-end}
.who{margin:0 4px 2px;font-size:12px;color:#57606a}
.bubble{max-width:88%;padding:8px 12px;border:1px solid #d8dee6;border-radius:12px;background:#fff;white-space:pre-wrap;overflow-wrap:anywhere}
.me .bubble{background:var(--c);border-color:var(--c);color:#fff}
.staff .bubble{background:#fff8e6;border-color:#e9c46a}
.links{max-width:88%;margin:6px 0 0;padding:0;list-style:none}
.links li{margin:2px 0}
.links a{color:var(--c);text-decoration:underline;overflow-wrap:anywhere}
.choices{display:flex;flex-wrap:wrap;gap:6px;max-width:88%;margin-top:8px}
.choices button,.human{min-height:34px;padding:4px 14px;border:1px solid var(--c);border-radius:17px;background:#fff;color:var(--c);cursor:pointer}
.choices button:hover:not(:disabled),.human:hover{background:#e8f0fa}
.choices button:disabled{opacity:.55;cursor:default}
.choices button[aria-pressed=true]{background:var(--c);color:#fff;opacity:1}
.rate{display:flex;align-items:center;gap:2px;margin-top:4px;font-size:12px;color:#57606a}
.rate button{display:flex;padding:4px;border:1px solid transparent;border-radius:6px;background:transparent;color:#57606a;cursor:pointer}
.rate button:hover:not([aria-disabled]){background:#e6eaef}
.rate button[aria-pressed=true]{border-color:#57606a;color:var(--c)}
.rate button[aria-disabled]{cursor:default}
.rate .down svg{transform:rotate(180deg)}
.rate svg{width:16px;height:16px}
.notice{margin:0 0 14px;text-align:center;font-size:13px;color:#a11d1d}
.typing{display:flex;align-items:center;gap:8px;padding:0 16px 8px;background:#f4f6f9;font-size:13px;color:#57606a}
.dots span{display:inline-block;width:6px;height:6px;margin-right:3px;border-radius:50%;background:#8c959f;animation:b 1.2s infinite ease-in-out}
.dots span:nth-child(2){animation-delay:.15s}.dots span:nth-child(3){animation-delay:.3s}
@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}
.bar{display:flex;justify-content:flex-end;padding:8px 12px 0;border-top:1px solid #e3e8ee}
.human{display:flex;align-items:center;gap:4px;font-size:14px}
.human svg{width:16px;height:16px}
.compose{display:flex;gap:8px;padding:8px 12px 12px}
.compose textarea{flex:1;min-height:44px;max-height:120px;padding:10px 12px;border:1px solid #b8c1cc;border-radius:8px;resize:none}
.send{display:flex;align-items:center;gap:4px;padding:0 16px;border:0;border-radius:8px;background:var(--c);color:#fff;cursor:pointer}
.send:hover{background:var(--c2)}
@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0}.launcher{right:12px;bottom:12px}}
@media (prefers-reduced-motion:reduce){.dots span{animation:none}}`;

  /** Creates an element; `text` is set as textContent, never parsed as HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    node.append(...children);
    return node;
  }

  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** Only http(s) links are shown; anything else (javascript:, data:) is dropped. */
  function safeUrl(url) {
    try {
      const parsed = new URL(String(url));
      return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
    } catch {
      return null;
    }
  }

  /**
   * The text as text nodes, with its http(s) addresses as links ("詳見 https://a.gov.tw/x 。" on a FAQ answer):
   * nothing is parsed as HTML, and an address ends at a space, a non-ASCII character or closing punctuation.
   */
  function linkedText(text) {
    const nodes = [];
    let last = 0;
    for (const match of text.matchAll(/https?:\/\/[\x21-\x7e]+/g)) {
      const address = match[0].replace(/[.,;:!?'")\]>]+$/, '');
      const url = safeUrl(address);
      if (!url) continue;
      nodes.push(document.createTextNode(text.slice(last, match.index)));
      nodes.push(el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: address }));
      last = match.index + address.length;
    }
    nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  function randomId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const validId = (id) => typeof id === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(id);

  function storedConversation() {
    try {
      const id = localStorage.getItem(KEY);
      return validId(id) ? id : null;
    } catch {
      return null;
    }
  }

  const pageLang = () => (/^en/i.test(document.documentElement.lang || '') ? 'en' : 'zh');

  let lang = data.lang === 'en' || data.lang === 'zh' ? data.lang : pageLang();
  let langChosen = Boolean(data.lang);
  let conversationId = storedConversation();
  let socket = null;
  let attempt = 0;
  let reconnectTimer = 0;
  let pollTimer = 0;
  let lastId = 0;
  let historyLoaded = false;
  let sentHere = false;
  let isOpen = false;
  let unread = false;
  /** Messages sent and not yet acknowledged: id → text (resent over HTTP if the socket drops). */
  const pending = new Map();
  /** Ids whose HTTP send is under way (a socket dropping meanwhile must not send them twice). */
  const sending = new Set();
  const t = () => TEXT[lang];

  const host = document.createElement('huiying-widget');
  const shadow = host.attachShadow({ mode: 'open' });
  const root = el('div', { class: 'root' });
  const badge = el('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
  const launcherLabel = el('span');
  const launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'hy-panel', onclick: () => open() }, icon('chat'), launcherLabel, badge);
  const title = el('h2', { id: 'hy-title' });
  const langButton = el('button', { type: 'button', class: 'lang', onclick: () => setLang(lang === 'zh' ? 'en' : 'zh', true) });
  const closeButton = el('button', { type: 'button', class: 'close', onclick: () => close() }, icon('close'));
  const status = el('div', { class: 'status', role: 'status', hidden: true });
  const greeting = el('div', { class: 'bubble' });
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', tabindex: '0' }, el('div', { class: 'msg bot' }, greeting));
  const typingText = el('span');
  const typing = el('div', { class: 'typing', hidden: true }, el('span', { class: 'dots', 'aria-hidden': 'true' }, el('span'), el('span'), el('span')), typingText);
  const typingStatus = el('div', { class: 'sr', role: 'status' });
  const humanLabel = el('span');
  const humanButton = el('button', { type: 'button', class: 'human', onclick: () => sendText(t().humanText, t().human) }, icon('person'), humanLabel);
  const inputLabel = el('label', { for: 'hy-input', class: 'sr' });
  const input = el('textarea', { id: 'hy-input', rows: '1', maxlength: String(MAX), autocomplete: 'off' });
  const sendLabel = el('span');
  const sendButton = el('button', { type: 'submit', class: 'send' }, icon('send'), sendLabel);
  const form = el('form', { class: 'compose' }, inputLabel, input, sendButton);
  const panel = el(
    'section',
    { id: 'hy-panel', class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'hy-title', hidden: true },
    el('div', { class: 'head' }, title, langButton, closeButton),
    status,
    log,
    typing,
    typingStatus,
    el('div', { class: 'bar' }, humanButton),
    form,
  );
  root.append(launcher, panel);
  shadow.append(el('style', { text: CSS }), root);

  function setLang(next, chosen) {
    lang = next;
    if (chosen) langChosen = true;
    const x = t();
    panel.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
    launcher.setAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
    launcherLabel.textContent = x.launcher;
    launcher.setAttribute('aria-label', unread ? x.unread : x.open);
    title.textContent = x.title;
    langButton.textContent = x.switchTo;
    langButton.setAttribute('aria-label', x.switchLabel);
    closeButton.setAttribute('aria-label', x.close);
    status.textContent = x.offline;
    greeting.textContent = x.greeting;
    log.setAttribute('aria-label', x.log);
    typingText.textContent = x.typing;
    humanLabel.textContent = x.human;
    inputLabel.textContent = x.label;
    input.placeholder = x.placeholder;
    sendLabel.textContent = x.send;
  }

  function setUnread(value) {
    unread = value;
    badge.hidden = !value;
    launcher.setAttribute('aria-label', value ? t().unread : t().open);
  }

  function updateTyping() {
    const busy = pending.size > 0;
    if (typing.hidden === !busy) return;
    typing.hidden = !busy;
    typingStatus.textContent = busy ? t().typing : '';
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function notice(text) {
    log.append(el('div', { class: 'notice', text }));
    scrollDown();
  }

  function renderMessage(m) {
    const x = t();
    const mine = m.direction === 'in';
    const staffName = typeof m.staffName === 'string' && m.staffName ? m.staffName : null;
    const item = el('div', { class: 'msg ' + (mine ? 'me' : staffName ? 'staff' : 'bot') });
    if (staffName) item.append(el('div', { class: 'who', text: lang === 'zh' ? `${staffName}（${x.staff}）` : `${staffName} (${x.staff})` }));
    else item.append(el('span', { class: 'sr', text: (mine ? x.you : x.bot) + '：' }));
    item.append(el('div', { class: 'bubble' }, ...linkedText(String(m.text ?? ''))));
    const links = (Array.isArray(m.links) ? m.links : []).map((l) => ({ url: safeUrl(l && l.url), title: String((l && l.title) || '') })).filter((l) => l.url);
    if (links.length > 0) {
      item.append(
        el('ul', { class: 'links', 'aria-label': x.links }, ...links.map((l) => el('li', {}, el('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer', text: l.title || l.url })))),
      );
    }
    const choices = Array.isArray(m.choices) ? m.choices.filter((c) => c && c.label && c.value) : [];
    if (choices.length > 0 && !mine) {
      const group = el('div', { class: 'choices', role: 'group', 'aria-label': x.choices });
      for (const choice of choices) {
        const button = el('button', { type: 'button', 'aria-pressed': 'false', text: String(choice.label) });
        button.addEventListener('click', () => {
          for (const b of group.querySelectorAll('button')) b.disabled = true;
          button.setAttribute('aria-pressed', 'true');
          input.focus();
          sendText(String(choice.value), String(choice.label));
        });
        group.append(button);
      }
      item.append(group);
    }
    if (m.rateable && typeof m.id === 'number') item.append(rating(m.id));
    log.append(item);
    scrollDown();
  }

  function rating(messageId) {
    const x = t();
    const up = el('button', { type: 'button', class: 'up', 'aria-pressed': 'false', 'aria-label': x.helpful, title: x.helpful }, icon('thumb'));
    const down = el('button', { type: 'button', class: 'down', 'aria-pressed': 'false', 'aria-label': x.notHelpful, title: x.notHelpful }, icon('thumb'));
    const thanks = el('span', { role: 'status' });
    const box = el('div', { class: 'rate' }, up, down, thanks);
    const rate = (helpful) => {
      if (box.dataset.rated) return;
      box.dataset.rated = '1';
      up.setAttribute('aria-disabled', 'true');
      down.setAttribute('aria-disabled', 'true');
      (helpful ? up : down).setAttribute('aria-pressed', 'true');
      thanks.textContent = helpful ? t().thanks : t().sorry;
      sendFeedback(messageId, helpful);
    };
    up.addEventListener('click', () => rate(true));
    down.addEventListener('click', () => rate(false));
    return box;
  }

  /** Shows transcript messages newer than what is shown; the citizen's own are only drawn from the first history. */
  function ingest(messages, first) {
    let replies = 0;
    for (const m of (Array.isArray(messages) ? messages : []).slice().sort((a, b) => a.id - b.id)) {
      if (!m || typeof m.id !== 'number' || m.id <= lastId) continue;
      lastId = m.id;
      if (m.direction === 'in' && !first) continue;
      renderMessage(m);
      if (m.direction === 'out') replies++;
    }
    if (replies > 0 && !first && !isOpen) setUnread(true);
  }

  function ingestHistory(messages) {
    ingest(messages, !historyLoaded && !sentHere);
    historyLoaded = true;
  }

  function ensureConversation() {
    if (conversationId) return;
    conversationId = randomId();
    try {
      localStorage.setItem(KEY, conversationId);
    } catch {
      // Private mode without storage: the conversation lasts as long as the page.
    }
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (!conversationId || (socket && socket.readyState <= 1)) return;
    let ws;
    try {
      ws = new WebSocket(`${SOCKET}?conversation=${encodeURIComponent(conversationId)}&after=${lastId}`);
    } catch {
      disconnected();
      return;
    }
    socket = ws;
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(frame);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      disconnected();
    };
  }

  function disconnected() {
    if (isOpen) status.hidden = false;
    for (const [id, text] of pending) if (!sending.has(id)) void httpSend(id, text);
    startPolling();
    const delay = Math.min(30000, 1000 * 2 ** attempt++) * (0.5 + Math.random() / 2);
    reconnectTimer = setTimeout(connect, delay);
  }

  function onFrame(frame) {
    if (!frame || typeof frame !== 'object') return;
    if (frame.type === 'history') {
      attempt = 0;
      status.hidden = true;
      stopPolling();
      ingestHistory(frame.messages);
    } else if (frame.type === 'messages') {
      ingest(frame.messages, false);
    } else if (frame.type === 'ack') {
      pending.delete(frame.id);
    } else if (frame.type === 'error') {
      if (frame.id) pending.delete(frame.id);
      notice(frame.error === 'rate_limited' ? t().rateLimited : String(frame.message || t().failed));
    }
    updateTyping();
  }

  function startPolling() {
    if (pollTimer || !conversationId) return;
    void poll();
    pollTimer = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = 0;
  }

  async function poll() {
    try {
      const res = await fetch(`${API}/conversations/${encodeURIComponent(conversationId)}/messages?after=${lastId}`);
      if (res.ok) ingestHistory((await res.json()).messages);
    } catch {
      // Offline for now; the next poll tries again.
    }
    updateTyping();
  }

  async function httpSend(id, text) {
    if (sending.has(id)) return;
    sending.add(id);
    try {
      const res = await fetch(`${API}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversationId, id, text, after: lastId, lang }),
      });
      const body = await res.json().catch(() => ({}));
      if (!pending.has(id)) return;
      pending.delete(id);
      if (res.ok) ingest(body.messages, false);
      else notice(res.status === 429 ? t().rateLimited : String(body.message || t().failed));
    } catch {
      if (pending.delete(id)) notice(t().failed);
    } finally {
      sending.delete(id);
    }
    updateTyping();
  }

  function sendFeedback(messageId, helpful) {
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: 'feedback', messageId, helpful }));
      return;
    }
    fetch(`${API}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId, messageId, helpful }),
    }).catch(() => undefined);
  }

  /** Sends the citizen's text (a typed question, a choice's value, the human request); shows `shown`. */
  function sendText(text, shown) {
    const trimmed = String(text).trim();
    if (!trimmed) return;
    if (trimmed.length > MAX) {
      notice(t().tooLong);
      return;
    }
    ensureConversation();
    sentHere = true;
    renderMessage({ direction: 'in', text: shown || trimmed });
    const id = randomId().replace(/[^A-Za-z0-9_-]/g, '');
    pending.set(id, trimmed);
    updateTyping();
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: 'message', id, text: trimmed, lang }));
      setTimeout(() => {
        if (pending.has(id)) void httpSend(id, trimmed);
      }, ACK_TIMEOUT_MS);
    } else {
      void httpSend(id, trimmed);
      connect();
    }
  }

  function open() {
    isOpen = true;
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    setUnread(false);
    ensureConversation();
    if (!socket) connect();
    if (!socket && !pollTimer) startPolling();
    status.hidden = Boolean(socket) || !reconnectTimer;
    scrollDown();
    input.focus();
  }

  function close() {
    isOpen = false;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = '';
    sendText(text);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.addEventListener('keydown', (event) => {
    // Escape closes the panel when focus is in it, or nowhere in particular (on the page body).
    if (event.key === 'Escape' && isOpen && (event.composedPath().includes(panel) || document.activeElement === document.body)) close();
  });
  new MutationObserver(() => {
    if (!langChosen) setLang(pageLang(), false);
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });

  setLang(lang, false);
  const mount = () => {
    document.body.append(host);
    if (conversationId) connect();
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.huiyingWidget = { open, close };
})();
