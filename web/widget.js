/*!
 * Chat widget for the myofascial-release assistant (Rasa socket.io channel).
 *
 * Embed with one tag:   <script src="https://clinic.example/chat/widget.js" defer></script>
 * Optional config, set before that tag:
 *   window.MFRChatConfig = {
 *     serverUrl: "https://chat.clinic.example",   // the Rasa server (default http://localhost:5005)
 *     clinicName: "Riverside Physio",
 *     colors: { primary: "#0b5c6b" }              // see COLOR_VARS below
 *   };
 *
 * The script loads the socket.io client from vendor/socket.io.min.js next to
 * itself (copied from node_modules by `npm ci` in web/), builds the widget in
 * a shadow root (host-page CSS cannot break it, its CSS cannot leak) and talks
 * to the Rasa socket.io channel: `session_request` {session_id} ->
 * `session_confirm`, `user_uttered` {message, session_id} -> `bot_uttered`.
 *
 * Every text from the user or the assistant is inserted with textContent.
 */
(function () {
  "use strict";

  if (window.MFRChat && window.MFRChat.version) return; // loaded twice

  var VERSION = "0.1.0";
  var SCRIPT = document.currentScript;
  var SCRIPT_BASE = (SCRIPT && SCRIPT.src) || document.baseURI;

  var DEFAULTS = {
    serverUrl: "http://localhost:5005",
    socketPath: "/socket.io",
    // WebSocket first: no CORS round trips, and Rasa's `--cors` plus engine.io both
    // add Access-Control-Allow-Origin to polling responses for the same origin,
    // which browsers reject. Long-polling stays as the fallback.
    transports: ["websocket", "polling"],
    socketIoClientUrl: null, // default: vendor/socket.io.min.js next to widget.js
    clinicName: "the clinic",
    title: "Questions about myofascial release",
    launcherLabel: "Ask about myofascial release",
    colors: {},
    // "session" keeps the chat across reloads of this tab only; "local" across tabs
    // and browser restarts (think of shared computers: this is health information).
    storage: "session",
    storageKey: "mfr-chat:v1",
    // Forget the stored chat after this much silence (the server starts a new
    // session after 60 minutes anyway: session_expiration_time in domain.yml).
    historyTtlMinutes: 60,
    maxHistory: 200,
    maxLength: 1000,
    // Sent once per new session, without showing it, so that the server's
    // session start sends the disclaimer and the greeting when the chat opens.
    greetPayload: "/greet",
    // The emergency reply (utter_emergency) is followed by a message
    // {custom: {kind: "emergency"}} that marks it; the first words of its
    // usual wording also mark it, for a server that sends no marker.
    emergencyPrefix: "This could be a medical emergency",
    sourcePrefix: "From: ",
    replyTimeoutMs: 30000,
    startOpen: false,
  };

  var COLOR_VARS = {
    primary: "--mfr-primary",
    primaryText: "--mfr-primary-text",
    background: "--mfr-bg",
    text: "--mfr-text",
    userBubble: "--mfr-user-bg",
    userText: "--mfr-user-text",
    botBubble: "--mfr-bot-bg",
    botText: "--mfr-bot-text",
    emergency: "--mfr-emergency",
    emergencyBackground: "--mfr-emergency-bg",
  };

  var CSS = [
    ":host{all:initial;--mfr-primary:#0b5c6b;--mfr-primary-text:#fff;--mfr-bg:#fff;--mfr-text:#1b1f23;",
    "--mfr-user-bg:var(--mfr-primary);--mfr-user-text:var(--mfr-primary-text);--mfr-bot-bg:#eef2f3;--mfr-bot-text:#1b1f23;",
    "--mfr-emergency:#a3001b;--mfr-emergency-bg:#fdecee;--mfr-muted:#4f5b62;",
    "font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:var(--mfr-text)}",
    "*,*::before,*::after{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    "button{font:inherit;cursor:pointer}",
    "button:focus-visible,input:focus-visible,.log:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;",
    "padding:12px 18px;border:0;border-radius:999px;background:var(--mfr-primary);color:var(--mfr-primary-text);",
    "font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".launcher svg{width:22px;height:22px;flex:none}",
    ".launcher.unread::after{content:'';width:10px;height:10px;border-radius:50%;background:#ffbf47;margin-left:2px}",
    ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;width:380px;max-width:calc(100vw - 24px);",
    "height:min(640px,calc(100vh - 110px));display:flex;flex-direction:column;background:var(--mfr-bg);",
    "border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.28);overflow:hidden}",
    ".header{display:flex;align-items:flex-start;gap:8px;padding:12px 12px 12px 16px;background:var(--mfr-primary);color:var(--mfr-primary-text)}",
    ".heading{flex:1;min-width:0}",
    ".title{margin:0;font-size:1.05em;font-weight:700;line-height:1.3}",
    ".subtitle{margin:2px 0 0;font-size:.82em;opacity:.95}",
    ".hbtn{flex:none;min-width:44px;min-height:44px;padding:0 8px;border:1px solid rgba(255,255,255,.6);border-radius:8px;",
    "background:transparent;color:inherit;font-size:.85em}",
    ".hbtn.close{font-size:1.4em;line-height:1}",
    ".status{padding:6px 16px;font-size:.85em;background:#fff4d6;color:#4a3800;border-bottom:1px solid #f0dc9a}",
    ".status:empty{display:none}",
    ".log{flex:1;overflow-y:auto;padding:14px 12px;display:flex;flex-direction:column;gap:8px;background:var(--mfr-bg)}",
    ".msg{max-width:88%;padding:9px 13px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}",
    ".msg p{margin:0}",
    ".user{align-self:flex-end;background:var(--mfr-user-bg);color:var(--mfr-user-text);border-bottom-right-radius:4px}",
    ".bot{align-self:flex-start;background:var(--mfr-bot-bg);color:var(--mfr-bot-text);border-bottom-left-radius:4px}",
    ".source{margin-top:8px!important;padding:2px 0 2px 9px;border-left:3px solid var(--mfr-primary);font-size:.82em;",
    "font-style:italic;color:var(--mfr-muted)}",
    ".emergency{align-self:stretch;max-width:100%;background:var(--mfr-emergency-bg);color:#3d0009;",
    "border:2px solid var(--mfr-emergency);border-left-width:8px;border-radius:8px;font-weight:600}",
    ".emergency-title{display:block;margin-bottom:4px;color:var(--mfr-emergency);font-size:.95em;text-transform:uppercase;letter-spacing:.04em}",
    ".emergency-title::before{content:'\\26A0\\FE0E  '}",
    ".system{align-self:center;max-width:95%;font-size:.85em;color:var(--mfr-muted);text-align:center;font-style:italic}",
    ".replies{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:100%}",
    ".reply{min-height:40px;padding:7px 13px;border:2px solid var(--mfr-primary);border-radius:999px;background:var(--mfr-bg);",
    "color:var(--mfr-primary);font-size:.92em;font-weight:600;text-align:left}",
    ".reply:hover:not(:disabled){background:var(--mfr-primary);color:var(--mfr-primary-text)}",
    ".reply:disabled{border-color:#c5cdd1;color:#6b767c;cursor:default}",
    ".reply.chosen,.reply.chosen:disabled{border-color:var(--mfr-primary);color:var(--mfr-primary);font-weight:700}",
    ".feedback{align-items:center}.feedback .reply{min-height:32px;padding:3px 10px}",
    ".feedback-question{font-size:.9em;color:#4a5358;margin-right:4px}",
    ".typing{display:flex;align-items:center;gap:5px;align-self:flex-start;margin:0 12px 8px;padding:10px 14px;",
    "border-radius:14px;background:var(--mfr-bot-bg)}",
    ".dot{width:7px;height:7px;border-radius:50%;background:var(--mfr-muted);animation:mfr-blink 1.2s infinite ease-in-out}",
    ".dot:nth-child(3){animation-delay:.2s}.dot:nth-child(4){animation-delay:.4s}",
    "@keyframes mfr-blink{0%,80%,100%{opacity:.25;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}",
    "@media (prefers-reduced-motion:reduce){.dot{animation:none;opacity:.7}}",
    ".form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #d9e0e3;background:var(--mfr-bg)}",
    ".input{flex:1;min-width:0;min-height:44px;padding:9px 12px;border:2px solid #8a979e;border-radius:10px;",
    "font:inherit;font-size:16px;color:var(--mfr-text);background:#fff}",
    ".send{min-width:64px;min-height:44px;padding:0 14px;border:0;border-radius:10px;background:var(--mfr-primary);",
    "color:var(--mfr-primary-text);font-weight:700}",
    ".note{margin:0;padding:0 12px 8px;font-size:.75em;color:var(--mfr-muted);background:var(--mfr-bg)}",
    "@media (max-width:480px){",
    ".panel{inset:0;right:0;bottom:0;width:100%;max-width:100%;height:100%;border-radius:0}",
    ".launcher{right:12px;bottom:12px}",
    ".open .launcher{display:none}",
    ".msg{max-width:92%}",
    "}",
  ].join("");

  // ---------------------------------------------------------------- config

  function readConfig() {
    var user = window.MFRChatConfig && typeof window.MFRChatConfig === "object" ? window.MFRChatConfig : {};
    var cfg = {};
    Object.keys(DEFAULTS).forEach(function (k) {
      cfg[k] = user[k] !== undefined && user[k] !== null ? user[k] : DEFAULTS[k];
    });
    cfg.serverUrl = String(cfg.serverUrl).replace(/\/+$/, "");
    return cfg;
  }

  var cfg = readConfig();

  // ---------------------------------------------------------------- storage

  function pickStorage() {
    try {
      var s = cfg.storage === "local" ? window.localStorage : window.sessionStorage;
      var probe = cfg.storageKey + ":probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // storage disabled: the chat lives as long as the page
    }
  }

  var store = pickStorage();

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function freshState() {
    return { v: 1, sessionId: newSessionId(), greeted: false, open: false, history: [], pending: [], ts: Date.now() };
  }

  function loadState() {
    if (!store) return freshState();
    try {
      var raw = store.getItem(cfg.storageKey);
      var st = raw ? JSON.parse(raw) : null;
      var fresh = Date.now() - ((st && st.ts) || 0) < cfg.historyTtlMinutes * 60000;
      if (st && st.v === 1 && typeof st.sessionId === "string" && /^[0-9a-f]{8,64}$/.test(st.sessionId) &&
          Array.isArray(st.history) && fresh) {
        st.pending = Array.isArray(st.pending) ? st.pending.filter(isText) : [];
        return st;
      }
    } catch (e) { /* corrupt entry: start over */ }
    return freshState();
  }

  function saveState() {
    state.ts = Date.now();
    if (state.history.length > cfg.maxHistory) state.history = state.history.slice(-cfg.maxHistory);
    if (!store) return;
    try {
      store.setItem(cfg.storageKey, JSON.stringify(state));
    } catch (e) { /* quota: keep going in memory */ }
  }

  function isText(x) {
    return typeof x === "string";
  }

  var state = loadState();

  // ---------------------------------------------------------------- DOM

  function el(tag, cls, attrs) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        node.setAttribute(k, attrs[k]);
      });
    }
    return node;
  }

  function text(tag, cls, value, attrs) {
    var node = el(tag, cls, attrs);
    node.textContent = value; // never innerHTML: user and bot text stays text
    return node;
  }

  var ui = {};

  function build() {
    var host = el("div", "", { id: "mfr-chat", "data-mfr-chat": VERSION });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    applyColors(host);
    var style = el("style");
    style.textContent = CSS;
    root.appendChild(style);

    var wrap = el("div", "wrap");
    var launcher = el("button", "launcher", {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": "mfr-panel",
    });
    launcher.appendChild(icon());
    launcher.appendChild(text("span", "launcher-text", cfg.launcherLabel));

    var panel = el("section", "panel", {
      id: "mfr-panel",
      role: "region",
      "aria-label": "Chat with " + cfg.clinicName + "'s assistant",
    });
    panel.hidden = true;

    var header = el("div", "header");
    var heading = el("div", "heading");
    heading.appendChild(text("h2", "title", cfg.title, { id: "mfr-title" }));
    heading.appendChild(text("p", "subtitle", cfg.clinicName + " \u00b7 automated assistant \u00b7 not for emergencies"));
    var restart = text("button", "hbtn restart", "New chat", {
      type: "button",
      "aria-label": "Start a new conversation (clears this one from this browser)",
    });
    var close = text("button", "hbtn close", "\u2013", { type: "button", "aria-label": "Minimise chat" });
    header.appendChild(heading);
    header.appendChild(restart);
    header.appendChild(close);

    var status = el("div", "status", { role: "status", "aria-live": "polite" });
    var log = el("div", "log", {
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation with the assistant",
      tabindex: "0",
    });
    var typing = el("div", "typing", { role: "status" });
    typing.appendChild(text("span", "sr", "The assistant is typing"));
    for (var i = 0; i < 3; i++) typing.appendChild(el("span", "dot", { "aria-hidden": "true" }));
    typing.hidden = true;

    var form = el("form", "form", { novalidate: "" });
    var label = text("label", "sr", "Your question", { for: "mfr-input" });
    var input = el("input", "input", {
      id: "mfr-input",
      type: "text",
      name: "message",
      autocomplete: "off",
      enterkeyhint: "send",
      maxlength: String(cfg.maxLength),
      placeholder: "Type your question\u2026",
    });
    var send = text("button", "send", "Send", { type: "submit", "aria-label": "Send message" });
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    var note = text(
      "p",
      "note",
      "Answers come from one reviewed article. This chat can't diagnose; in an emergency call your local emergency number."
    );

    panel.appendChild(header);
    panel.appendChild(status);
    panel.appendChild(log);
    panel.appendChild(typing);
    panel.appendChild(form);
    panel.appendChild(note);
    wrap.appendChild(launcher);
    wrap.appendChild(panel);
    root.appendChild(wrap);
    document.body.appendChild(host);

    ui = { host: host, root: root, wrap: wrap, launcher: launcher, panel: panel, status: status, log: log,
           typing: typing, form: form, input: input, close: close, restart: restart };

    launcher.addEventListener("click", function () {
      if (panel.hidden) openPanel(true);
      else closePanel(true);
    });
    close.addEventListener("click", function () {
      closePanel(true);
    });
    restart.addEventListener("click", function () {
      reset();
      ui.input.focus();
    });
    panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") closePanel(true);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var value = input.value;
      if (!value.trim()) return;
      input.value = "";
      sendUser(value, value);
    });
  }

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  function applyColors(host) {
    var colors = cfg.colors && typeof cfg.colors === "object" ? cfg.colors : {};
    Object.keys(COLOR_VARS).forEach(function (k) {
      var v = colors[k];
      if (typeof v === "string" && window.CSS && CSS_SUPPORTS("color", v)) host.style.setProperty(COLOR_VARS[k], v);
    });
  }

  function CSS_SUPPORTS(prop, value) {
    try {
      return window.CSS.supports(prop, value);
    } catch (e) {
      return false;
    }
  }

  function scrollDown() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // ---------------------------------------------------------------- rendering

  var lastBotBubble = null; // the bubble a "From: ..." line belongs to

  function disableReplies() {
    var buttons = ui.log.querySelectorAll("button.reply");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
  }

  function renderUser(value, keepReplies) {
    if (!keepReplies) disableReplies();
    var bubble = el("div", "msg user");
    bubble.appendChild(text("span", "sr", "You: "));
    bubble.appendChild(text("p", "", value));
    ui.log.appendChild(bubble);
    lastBotBubble = null;
    scrollDown();
  }

  function isEmergency(value) {
    return value.indexOf(cfg.emergencyPrefix) === 0;
  }

  function markEmergency(bubble, live) {
    if (!bubble || bubble.classList.contains("emergency")) return;
    bubble.classList.add("emergency");
    if (live) bubble.setAttribute("role", "alert");
    var title = text("strong", "emergency-title", "Possible emergency");
    bubble.insertBefore(title, bubble.querySelector("p"));
  }

  function renderBot(entry, live) {
    var value = entry.t || "";
    var source = null;
    if (value.indexOf(cfg.sourcePrefix) === 0) {
      source = value;
      value = "";
    } else {
      // A reply that was not split on blank lines: its last line may be the source.
      var m = value.match(/\n+(From: [^\n]*)\s*$/);
      if (m && cfg.sourcePrefix === DEFAULTS.sourcePrefix) {
        source = m[1];
        value = value.slice(0, m.index);
      }
    }
    var feedback = entry.q && entry.q.length && isFeedback(entry.q);
    if (feedback) {
      // The question sits with its thumbs, under the answer it is about.
      renderFeedback(entry, value);
      scrollDown();
      return;
    }
    if (value) {
      var bubble = el("div", "msg bot");
      bubble.appendChild(text("span", "sr", "Assistant: "));
      bubble.appendChild(text("p", "", value));
      if (entry.e || isEmergency(value)) markEmergency(bubble, live);
      ui.log.appendChild(bubble);
      lastBotBubble = bubble;
    }
    if (source) {
      var line = text("p", "source", source);
      if (lastBotBubble) lastBotBubble.appendChild(line);
      else {
        var own = el("div", "msg bot");
        own.appendChild(line);
        ui.log.appendChild(own);
        lastBotBubble = own;
      }
    }
    if (entry.q && entry.q.length) {
      var group = el("div", "replies", { role: "group", "aria-label": "Suggested replies" });
      entry.q.forEach(function (b) {
        var button = text("button", "reply", b.title, { type: "button" });
        button.addEventListener("click", function () {
          if (button.disabled) return;
          sendUser(b.payload, b.title);
        });
        group.appendChild(button);
      });
      ui.log.appendChild(group);
    }
    scrollDown();
  }

  // "Was this helpful?": thumbs under an answer. A choice is sent like any
  // reply, but leaves the answer's own suggested replies usable; the chosen
  // thumb stays marked (also after a reload).
  var FEEDBACK_PREFIX = "/feedback_";

  function isFeedback(replies) {
    return replies.every(function (b) {
      return typeof b.payload === "string" && b.payload.indexOf(FEEDBACK_PREFIX) === 0;
    });
  }

  function renderFeedback(entry, question) {
    var group = el("div", "replies feedback", { role: "group", "aria-label": question || "Feedback" });
    if (question) group.appendChild(text("span", "feedback-question", question));
    var buttons = [];
    entry.q.forEach(function (b) {
      var chosen = entry.c === b.payload;
      var button = text("button", "reply feedback" + (chosen ? " chosen" : ""), b.title, {
        type: "button",
        "aria-pressed": chosen ? "true" : "false",
      });
      if (entry.c) button.disabled = true;
      button.addEventListener("click", function () {
        if (button.disabled) return;
        entry.c = b.payload;
        buttons.forEach(function (other) {
          other.disabled = true;
        });
        button.classList.add("chosen");
        button.setAttribute("aria-pressed", "true");
        sendUser(b.payload, b.title, true);
      });
      buttons.push(button);
      group.appendChild(button);
    });
    ui.log.appendChild(group);
  }

  function renderSystem(value) {
    ui.log.appendChild(text("p", "msg system", value));
    scrollDown();
  }

  function render(entry, live) {
    if (entry.r === "u") renderUser(entry.t, entry.k);
    else if (entry.r === "b") renderBot(entry, live);
  }

  function setStatus(value) {
    ui.status.textContent = value || "";
    scrollDown(); // the status bar takes room from the log
  }

  var WAITING_NOTE = " Your message will be sent when the connection is back.";

  function setProblem(value) {
    setStatus(value + (state.pending.length ? WAITING_NOTE : ""));
  }

  // ---------------------------------------------------------------- typing indicator

  var typingTimer = null;
  var replyTimer = null;
  var awaiting = false;

  function startWaiting() {
    awaiting = true;
    ui.typing.hidden = false;
    clearTimeout(typingTimer);
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () {
      if (!awaiting) return;
      stopWaiting();
      renderSystem("No answer yet. Please try again in a moment.");
    }, cfg.replyTimeoutMs);
  }

  function gotReplyPart() {
    // Replies come as several events; hide the dots once they stop coming.
    clearTimeout(replyTimer);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopWaiting, 700);
  }

  function stopWaiting() {
    awaiting = false;
    clearTimeout(typingTimer);
    clearTimeout(replyTimer);
    ui.typing.hidden = true;
  }

  // ---------------------------------------------------------------- socket

  var socket = null;
  var ready = false; // connected and the session confirmed
  var loading = null;

  function loadClient() {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var previous = window.io;
      var tag = document.createElement("script");
      tag.src = cfg.socketIoClientUrl || new URL("vendor/socket.io.min.js", SCRIPT_BASE).href;
      tag.async = true;
      tag.onload = function () {
        var io = window.io;
        if (previous !== undefined) window.io = previous; // leave the host page's own client alone
        if (typeof io === "function") resolve(io);
        else reject(new Error("socket.io client did not load"));
      };
      tag.onerror = function () {
        reject(new Error("could not load " + tag.src));
      };
      document.head.appendChild(tag);
    });
    return loading;
  }

  function connect() {
    if (socket) return;
    setStatus("Connecting\u2026");
    loadClient().then(
      function (io) {
        if (socket) return;
        socket = io(cfg.serverUrl, {
          path: cfg.socketPath,
          transports: cfg.transports,
          tryAllTransports: true, // fall back to polling where WebSocket is blocked
          reconnection: true,
          reconnectionDelay: 1000,
          reconnectionDelayMax: 8000,
          timeout: 10000,
        });
        socket.on("connect", function () {
          ready = false;
          // A new socket id on every (re)connect: ask for the same session again,
          // the server puts this socket in the session's room.
          socket.emit("session_request", { session_id: state.sessionId });
        });
        socket.on("session_confirm", function (id) {
          var confirmed = typeof id === "string" ? id : id && id.session_id;
          if (confirmed && confirmed !== state.sessionId) return;
          ready = true;
          setStatus("");
          if (!state.greeted && cfg.greetPayload) {
            state.greeted = true;
            state.pending.unshift(cfg.greetPayload);
            saveState();
          }
          flush();
        });
        socket.on("bot_uttered", onBotMessage);
        socket.on("disconnect", function (reason) {
          ready = false;
          if (reason === "io client disconnect") return;
          setProblem("Connection lost. Reconnecting\u2026");
          if (awaiting) {
            stopWaiting();
            renderSystem("The connection dropped while waiting for an answer. If no answer comes after reconnecting, please ask again.");
          }
        });
        socket.on("connect_error", function () {
          setProblem("Can't reach the assistant right now. Retrying\u2026");
        });
      },
      function () {
        loading = null;
        setStatus("The chat could not load. Please try again later or contact " + cfg.clinicName + ".");
      }
    );
  }

  function flush() {
    if (!socket || !ready) return;
    var sent = false;
    while (state.pending.length) {
      socket.emit(
        "user_uttered",
        { message: state.pending.shift(), session_id: state.sessionId }
      );
      sent = true;
    }
    saveState();
    if (sent) startWaiting();
  }

  function onBotMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    var custom = msg.custom && typeof msg.custom === "object" ? msg.custom : null;
    if (custom && custom.kind === "emergency") {
      // A marker sent after the emergency text: restyle that reply.
      for (var i = state.history.length - 1; i >= 0; i--) {
        if (state.history[i].r === "b" && state.history[i].t && state.history[i].t.indexOf(cfg.sourcePrefix) !== 0) {
          state.history[i].e = 1;
          break;
        }
      }
      var bubbles = ui.log.querySelectorAll(".msg.bot");
      if (bubbles.length) markEmergency(bubbles[bubbles.length - 1], true);
      saveState();
      return;
    }
    var value = typeof msg.text === "string" ? msg.text : "";
    var buttons = Array.isArray(msg.quick_replies) && msg.quick_replies.length ? msg.quick_replies : msg.buttons;
    var replies = [];
    if (Array.isArray(buttons)) {
      buttons.forEach(function (b) {
        if (b && typeof b.title === "string" && typeof b.payload === "string") {
          replies.push({ title: b.title, payload: b.payload });
        }
      });
    }
    if (!value && !replies.length) return; // images, custom payloads: not shown
    var entry = { r: "b", t: value };
    if (replies.length) entry.q = replies;
    state.history.push(entry);
    saveState();
    render(entry, true);
    gotReplyPart();
    if (ui.panel.hidden) ui.launcher.classList.add("unread");
  }

  // ---------------------------------------------------------------- actions

  function sendUser(payload, shown, keepReplies) {
    var entry = { r: "u", t: shown };
    if (keepReplies) entry.k = 1;
    state.history.push(entry);
    state.pending.push(payload);
    saveState();
    render(entry, true);
    if (ready) flush();
    else {
      startWaiting();
      if (socket && ui.status.textContent && ui.status.textContent.indexOf(WAITING_NOTE) < 0) {
        ui.status.textContent += WAITING_NOTE;
      }
      connect();
    }
  }

  function openPanel(focus) {
    ui.panel.hidden = false;
    ui.wrap.classList.add("open");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.classList.remove("unread");
    state.open = true;
    saveState();
    connect();
    scrollDown();
    if (focus) ui.input.focus();
  }

  function closePanel(focus) {
    ui.panel.hidden = true;
    ui.wrap.classList.remove("open");
    ui.launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    if (focus) ui.launcher.focus();
  }

  function reset() {
    stopWaiting();
    if (socket) {
      socket.off();
      socket.disconnect();
      socket = null;
    }
    ready = false;
    var wasOpen = state.open;
    state = freshState();
    state.open = wasOpen;
    saveState();
    while (ui.log.firstChild) ui.log.removeChild(ui.log.firstChild);
    lastBotBubble = null;
    if (wasOpen) connect();
  }

  function init() {
    if (!document.body) return;
    build();
    state.history.forEach(function (entry) {
      render(entry, false);
    });
    if (state.open || (cfg.startOpen && !state.history.length)) openPanel(false);
    else if (state.pending.length) connect();
  }

  window.MFRChat = {
    version: VERSION,
    open: function () {
      openPanel(true);
    },
    close: function () {
      closePanel(false);
    },
    reset: reset,
    send: function (value) {
      if (typeof value === "string" && value.trim()) sendUser(value, value);
    },
    get sessionId() {
      return state.sessionId;
    },
    get socket() {
      return socket;
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
