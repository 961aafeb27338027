// Browser test of the chat widget in headless Debian Chromium (playwright-core).
//
// Run by tests/web/test_widget.py, which starts the Rasa and action servers and
// web/serve.py, then reads the JSON this script prints on stdout. Environment:
//   PAGE_URL     the demo page (web/serve.py), e.g. http://127.0.0.1:8123/
//   RASA_PORT    the Rasa server's port on 127.0.0.1
//   PROXY_PORT   the port the page's serverUrl points at: this script puts a TCP
//                proxy there, in front of Rasa, to cut the connection
//   ARTIFACTS    where screenshots go (test-artifacts/web)
//   CHROMIUM     the browser (default /usr/bin/chromium)
//
// Every check is recorded; a failed wait ends the scenario with an error. The
// script exits 0 whenever it could print its report: the Python test asserts.

import { createRequire } from "node:module";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, "../../web/package.json"));
const { chromium } = require("playwright-core");

const PAGE_URL = process.env.PAGE_URL;
const RASA_PORT = Number(process.env.RASA_PORT);
const PROXY_PORT = Number(process.env.PROXY_PORT);
const ARTIFACTS = process.env.ARTIFACTS || path.resolve(here, "../../test-artifacts/web");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const WAIT = Number(process.env.REPLY_WAIT_MS || 30000);

const HOSTILE = "<img src=x onerror=alert(1)>";
const HOSTILE_2 = '<script>alert("s")</script><b id="injected">bold</b><svg onload=alert(2)>';
const QUESTION = "what are the risks of myofascial release?";

const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-proxy-server",
  // Nothing but 127.0.0.1 resolves: the browser cannot reach anything else.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

// ------------------------------------------------------------ TCP proxy

function startProxy() {
  const sockets = new Set();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(RASA_PORT, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(PROXY_PORT, "127.0.0.1", () =>
      resolve({
        // Cuts every open connection and refuses new ones: a dropped network.
        drop() {
          refusing = true;
          for (const s of sockets) s.destroy();
        },
        restore() {
          refusing = false;
        },
        close: () => new Promise((r) => server.close(() => r())),
      })
    );
  });
}

// ------------------------------------------------------------ helpers

const report = { scenarios: {}, screenshots: [], chromium: null, playwright: require("playwright-core/package.json").version };

async function launch(viewport, extra = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mfr-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: LAUNCH_ARGS,
    viewport,
    ...extra,
  });
  const page = context.pages()[0] || (await context.newPage());
  const log = { dialogs: [], pageErrors: [], consoleErrors: [] };
  page.on("dialog", async (d) => {
    log.dialogs.push(d.message());
    await d.dismiss().catch(() => {});
  });
  page.on("pageerror", (e) => log.pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") log.consoleErrors.push(m.text());
  });
  report.chromium = report.chromium || (await page.evaluate(() => navigator.userAgent));
  return {
    context,
    page,
    log,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function shot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  report.screenshots.push(file);
  return file;
}

// What the widget shows, read from its shadow root.
function snapshot(page) {
  return page.evaluate(() => {
    const root = document.getElementById("mfr-chat").shadowRoot;
    const feedback = [...root.querySelectorAll(".log > .replies.feedback")].map((n) => ({
      question: n.querySelector(".feedback-question")?.textContent ?? null,
      buttons: [...n.querySelectorAll("button")].map((b) => ({
        title: b.textContent, disabled: b.disabled, chosen: b.classList.contains("chosen"),
        pressed: b.getAttribute("aria-pressed"),
      })),
    }));
    // "Was this helpful?" groups are read apart, so that "the last item" stays the answer's own.
    const items = [...root.querySelectorAll(".log > *:not(.feedback)")].map((n) => ({
      kind: n.classList.contains("user") ? "user" : n.classList.contains("bot") ? "bot"
        : n.classList.contains("replies") ? "replies" : n.classList.contains("system") ? "system" : n.className,
      text: n.querySelector("p:not(.source)")?.textContent ?? n.textContent,
      source: n.querySelector(".source")?.textContent ?? null,
      emergency: n.classList.contains("emergency"),
      role: n.getAttribute("role"),
      buttons: [...n.querySelectorAll("button")].map((b) => ({ title: b.textContent, disabled: b.disabled })),
    }));
    return {
      items,
      feedback,
      typing: !root.querySelector(".typing").hidden,
      status: root.querySelector(".status").textContent,
      open: !root.querySelector(".panel").hidden,
      sessionId: window.MFRChat.sessionId,
    };
  });
}

// Waits until more bot bubbles than `before` are shown and the reply is complete.
async function waitForReply(page, before) {
  await page.waitForFunction(
    (n) => {
      const root = document.getElementById("mfr-chat").shadowRoot;
      return root.querySelectorAll(".log > .msg.bot").length > n && root.querySelector(".typing").hidden;
    },
    before,
    { timeout: WAIT }
  );
  return snapshot(page);
}

function botCount(snap) {
  return snap.items.filter((i) => i.kind === "bot").length;
}

function deepActive(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return null;
    return {
      tag: a.tagName.toLowerCase(),
      cls: a.className && typeof a.className === "string" ? a.className : "",
      label: a.getAttribute("aria-label") || a.textContent.trim().slice(0, 40) || a.id,
      disabled: !!a.disabled,
    };
  });
}

async function injectedElements(page) {
  return page.evaluate(() => {
    const root = document.getElementById("mfr-chat").shadowRoot;
    const sel = "img, script:not([src]), b, svg[onload], [onerror], [onload], #injected";
    const inLog = [...root.querySelectorAll(".log " + sel.split(", ").join(", .log "))].map((n) => n.outerHTML);
    const inPage = [...document.querySelectorAll("img, b, #injected, [onerror], [onload]")].map((n) => n.outerHTML);
    return { inLog, inPage };
  });
}

async function scenario(name, fn) {
  const started = Date.now();
  const result = { ok: false, checks: {}, error: null, seconds: null };
  report.scenarios[name] = result;
  try {
    await fn(result.checks);
    result.ok = true;
  } catch (e) {
    result.error = String((e && e.stack) || e);
  }
  result.seconds = (Date.now() - started) / 1000;
}

// ------------------------------------------------------------ scenarios

async function mainFlow(checks, proxy) {
  const b = await launch({ width: 1280, height: 860 });
  const { page } = b;
  try {
    await page.goto(PAGE_URL, { waitUntil: "load" });
    const launcher = page.getByRole("button", { name: "Ask about myofascial release" });
    await launcher.click();
    checks.launcherExpanded = await launcher.getAttribute("aria-expanded");

    // The disclaimer and the greeting, from the server's session start (hidden /greet).
    let snap = await waitForReply(page, 0);
    await page.waitForFunction(() =>
      document.getElementById("mfr-chat").shadowRoot.querySelectorAll(".log > .msg.bot").length >= 2, null, { timeout: WAIT });
    snap = await snapshot(page);
    checks.openItems = snap.items;
    checks.sessionId = snap.sessionId;
    checks.logRole = await page.locator(".log").getAttribute("role");
    checks.logLive = await page.locator(".log").getAttribute("aria-live");
    checks.transport = await page.evaluate(() => window.MFRChat.socket.io.engine.transport.name);
    checks.inputLabelled = (await page.getByLabel("Your question").count()) === 1;
    checks.sendLabelled = (await page.getByRole("button", { name: "Send message" }).count()) === 1;
    await shot(page, "01-open-disclaimer.png");

    // A grounded answer with its source line; the typing indicator while waiting.
    const before = botCount(snap);
    await page.getByLabel("Your question").fill(QUESTION);
    await page.getByLabel("Your question").press("Enter");
    checks.typingShown = await page
      .waitForSelector(".typing:not([hidden])", { state: "visible", timeout: 3000 })
      .then(() => true, () => false);
    if (checks.typingShown) await shot(page, "02-typing-indicator.png");
    snap = await waitForReply(page, before);
    checks.answerItems = snap.items.slice(-4);
    await shot(page, "03-grounded-answer.png");

    // "Was this helpful?" under the answer: a thumbs-down is sent, marked, and asks
    // what they were looking for; the answer's own follow-up buttons stay usable.
    const thumbs = page.locator(".log > .replies.feedback").last();
    await thumbs.waitFor({ state: "visible", timeout: WAIT });
    const nFeedback = botCount(await snapshot(page));
    await thumbs.getByRole("button", { name: "👎 No", exact: true }).click();
    snap = await waitForReply(page, nFeedback);
    checks.feedback = snap.feedback.slice(-1)[0];
    checks.feedbackReply = snap.items.filter((i) => i.kind === "bot").slice(-1)[0]?.text ?? null;
    checks.feedbackUser = snap.items.filter((i) => i.kind === "user").slice(-1)[0]?.text ?? null;
    checks.followUpsAfterFeedback = snap.items.filter((i) => i.kind === "replies").slice(-1)[0]?.buttons ?? [];
    await shot(page, "03b-feedback.png");

    // A follow-up button: its title is shown as the user's message, an answer follows.
    const group = page.locator(".log > .replies:not(.feedback)").last();
    const buttons = group.locator("button.reply:not([disabled])");
    checks.followUpTitles = await buttons.allTextContents();
    const pick = checks.followUpTitles.find((t) => t !== "Tell me more") || checks.followUpTitles[0];
    checks.followUpClicked = pick;
    const n2 = botCount(snap);
    await group.getByRole("button", { name: pick, exact: true }).click();
    snap = await waitForReply(page, n2);
    checks.followUpItems = snap.items.slice(-4);
    checks.oldButtonsDisabled = snap.items
      .filter((i) => i.kind === "replies")
      .slice(0, -1)
      .every((i) => i.buttons.every((x) => x.disabled));

    // Hostile HTML is shown as text: no dialog, no element created.
    for (const hostile of [HOSTILE, HOSTILE_2]) {
      const n = botCount(snap);
      await page.getByLabel("Your question").fill(hostile);
      await page.getByLabel("Your question").press("Enter");
      snap = await waitForReply(page, n);
    }
    await page.waitForTimeout(500); // an onerror handler would have fired by now
    checks.hostileUserTexts = snap.items.filter((i) => i.kind === "user").map((i) => i.text).slice(-2);
    checks.injected = await injectedElements(page);
    checks.dialogs = [...b.log.dialogs];
    await shot(page, "04-hostile-html-as-text.png");

    // The emergency reply gets the banner style.
    const n3 = botCount(snap);
    await page.getByLabel("Your question").fill("I have crushing chest pain and can't breathe");
    await page.getByLabel("Your question").press("Enter");
    snap = await waitForReply(page, n3);
    checks.emergencyItem = snap.items.filter((i) => i.kind === "bot").slice(-1)[0];
    await shot(page, "05-emergency.png");

    // A reload keeps the conversation and the session (no second disclaimer).
    const beforeReload = await snapshot(page);
    await page.reload({ waitUntil: "load" });
    await page.waitForFunction(() => document.getElementById("mfr-chat")?.shadowRoot?.querySelector(".log"), null, { timeout: 10000 });
    await page.waitForTimeout(1500); // would be time enough for an unwanted greeting
    const afterReload = await snapshot(page);
    checks.reload = {
      sameSession: afterReload.sessionId === beforeReload.sessionId,
      open: afterReload.open,
      sameItems: JSON.stringify(afterReload.items.map((i) => [i.kind, i.text, i.source, i.emergency]))
        === JSON.stringify(beforeReload.items.map((i) => [i.kind, i.text, i.source, i.emergency])),
      items: afterReload.items.length,
    };
    await shot(page, "06-after-reload.png");
    const n4 = botCount(afterReload);
    await page.getByLabel("Your question").fill("what is myofascial release?");
    await page.getByLabel("Your question").press("Enter");
    snap = await waitForReply(page, n4);
    checks.afterReloadItems = snap.items.slice(-3);
    checks.disclaimersAfterReload = snap.items.filter((i) => i.kind === "bot" && /can't diagnose/.test(i.text)).length;

    // A dropped connection: the widget says so, reconnects and rejoins the session.
    proxy.drop();
    await page.waitForFunction(
      () => /Reconnecting|Can't reach/.test(document.getElementById("mfr-chat").shadowRoot.querySelector(".status").textContent),
      null,
      { timeout: 20000 }
    );
    // A question asked while the connection is down waits and goes out after reconnecting.
    const n5 = botCount(await snapshot(page));
    await page.getByLabel("Your question").fill("what are trigger points?");
    await page.getByLabel("Your question").press("Enter");
    await page.waitForTimeout(1500);
    const down = await snapshot(page);
    checks.statusWhileDown = down.status;
    checks.queuedWhileDown = { lastUser: down.items.filter((i) => i.kind === "user").slice(-1)[0]?.text, bots: botCount(down) };
    await shot(page, "07-reconnecting.png");
    proxy.restore();
    await page.waitForFunction(
      () => document.getElementById("mfr-chat").shadowRoot.querySelector(".status").textContent === "",
      null,
      { timeout: 20000 }
    );
    snap = await waitForReply(page, n5);
    checks.afterReconnectItems = snap.items.slice(-3);
    checks.disclaimersAfterReconnect = snap.items.filter((i) => i.kind === "bot" && /can't diagnose/.test(i.text)).length;
    checks.finalSessionId = snap.sessionId;
    await shot(page, "08-after-reconnect.png");
  } finally {
    checks.pageErrors = b.log.pageErrors;
    checks.consoleErrors = b.log.consoleErrors;
    checks.dialogsTotal = b.log.dialogs;
    await b.close();
  }
}

async function narrowFlow(checks) {
  const b = await launch({ width: 375, height: 740 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const { page } = b;
  try {
    await page.goto(PAGE_URL, { waitUntil: "load" });
    await shot(page, "10-mobile-375-closed.png");
    await page.getByRole("button", { name: "Ask about myofascial release" }).click();
    await page.waitForFunction(() =>
      document.getElementById("mfr-chat").shadowRoot.querySelectorAll(".log > .msg.bot").length >= 2, null, { timeout: WAIT });
    let snap = await snapshot(page);
    await page.getByLabel("Your question").fill(QUESTION);
    await page.getByLabel("Your question").press("Enter");
    snap = await waitForReply(page, botCount(snap));
    checks.items = snap.items.slice(-3);
    checks.layout = await page.evaluate(() => {
      const root = document.getElementById("mfr-chat").shadowRoot;
      const box = (s) => {
        const r = root.querySelector(s).getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
      };
      const overflowing = [...root.querySelectorAll(".log *")].filter((n) => n.getBoundingClientRect().right > window.innerWidth + 0.5).length;
      return {
        viewport: window.innerWidth,
        scrollWidth: document.documentElement.scrollWidth,
        panel: box(".panel"),
        input: box(".input"),
        send: box(".send"),
        overflowing,
        fontSize: getComputedStyle(root.querySelector(".msg.bot")).fontSize,
      };
    });
    await shot(page, "11-mobile-375-answer.png");

    // Custom payloads: an emergency marker after a reply ({custom: {kind: "emergency"}}, which
    // needs a server change) restyles that reply; others (the handoff's) are not shown.
    const beforeCustom = botCount(await snapshot(page));
    await page.evaluate(() => {
      const deliver = window.MFRChat.socket.listeners("bot_uttered")[0];
      deliver({ text: "Marker test reply" });
      deliver({ custom: { kind: "emergency" } });
      deliver({ custom: { handoff: { phone: "+1 555 0100" } } });
    });
    const afterCustom = await snapshot(page);
    const lastBot = afterCustom.items.filter((i) => i.kind === "bot").slice(-1)[0];
    checks.customMarker = { added: botCount(afterCustom) - beforeCustom, text: lastBot.text, emergency: lastBot.emergency };

    // "New chat" forgets this conversation and starts a new session with the disclaimer.
    const oldSession = snap.sessionId;
    await page.getByRole("button", { name: /Start a new conversation/ }).click();
    await page.waitForFunction(() =>
      document.getElementById("mfr-chat").shadowRoot.querySelectorAll(".log > .msg.bot").length >= 2, null, { timeout: WAIT });
    const fresh = await snapshot(page);
    checks.newChat = {
      newSession: fresh.sessionId !== oldSession,
      users: fresh.items.filter((i) => i.kind === "user").length,
      firstBot: fresh.items.find((i) => i.kind === "bot")?.text ?? null,
    };
  } finally {
    checks.pageErrors = b.log.pageErrors;
    await b.close();
  }
}

// Presses `key` up to `max` times until the focused element matches; returns the labels focused on the way.
async function pressUntil(page, key, max, matches) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const a = await deepActive(page);
    seen.push(a && a.label);
    if (a && matches(a)) break;
  }
  return seen;
}

async function keyboardFlow(checks) {
  const b = await launch({ width: 1024, height: 800 });
  const { page } = b;
  const kb = page.keyboard;
  try {
    await page.goto(PAGE_URL, { waitUntil: "load" });
    // Tab from the top of the page to the launcher, Enter opens the chat.
    checks.tabsToLauncher = await pressUntil(page, "Tab", 10, (a) => a.cls.includes("launcher"));
    await kb.press("Enter");
    await page.waitForFunction(() =>
      document.getElementById("mfr-chat").shadowRoot.querySelectorAll(".log > .msg.bot").length >= 2, null, { timeout: WAIT });
    checks.focusAfterOpen = await deepActive(page);

    // Back to the header with Shift+Tab, then Tab forward until the input has focus.
    const back = await pressUntil(page, "Shift+Tab", 6, (a) => a.cls.includes("close"));
    const forward = await pressUntil(page, "Tab", 6, (a) => a.tag === "input");
    checks.shiftTabToHeader = back;
    checks.tabToInput = forward;
    checks.inputFocusedByTab = (await deepActive(page))?.tag === "input";

    // Type and press Enter.
    let snap = await snapshot(page);
    await kb.type("is myofascial release safe?");
    await kb.press("Enter");
    snap = await waitForReply(page, botCount(snap));
    checks.answerItems = snap.items.slice(-3);

    // Shift+Tab from the input reaches the newest follow-up button; Enter sends it.
    await page.getByLabel("Your question").focus();
    await kb.press("Shift+Tab");
    const onButton = await deepActive(page);
    checks.shiftTabFromInput = onButton;
    await shot(page, "20-keyboard-focus-on-follow-up.png");
    const n = botCount(snap);
    await kb.press("Enter");
    snap = await waitForReply(page, n);
    checks.afterButtonItems = snap.items.slice(-3);

    // Escape minimises and gives focus back to the launcher.
    await page.getByLabel("Your question").focus();
    await kb.press("Escape");
    checks.afterEscape = { active: await deepActive(page), open: (await snapshot(page)).open };
    await shot(page, "21-keyboard-escape-minimised.png");
  } finally {
    checks.pageErrors = b.log.pageErrors;
    await b.close();
  }
}

// Long-polling only (WebSocket disabled): the transport that proxies and some
// networks leave, and the one whose CORS headers browsers check.
async function pollingFlow(checks) {
  const b = await launch({ width: 1024, height: 800 });
  const { page } = b;
  try {
    await page.addInitScript(() => {
      // The demo page assigns its own config object; keep "polling only" in whatever it assigns.
      let cfg = { transports: ["polling"] };
      Object.defineProperty(window, "MFRChatConfig", {
        configurable: true,
        get: () => cfg,
        set: (v) => { cfg = Object.assign({}, v, { transports: ["polling"] }); },
      });
    });
    await page.goto(PAGE_URL, { waitUntil: "load" });
    await page.getByRole("button", { name: "Ask about myofascial release" }).click();
    await page.waitForFunction(() =>
      document.getElementById("mfr-chat").shadowRoot.querySelectorAll(".log > .msg.bot").length >= 2, null, { timeout: WAIT });
    checks.transport = await page.evaluate(() => window.MFRChat.socket.io.engine.transport.name);
    let snap = await snapshot(page);
    await page.getByLabel("Your question").fill("what are trigger points?");
    await page.getByLabel("Your question").press("Enter");
    snap = await waitForReply(page, botCount(snap));
    checks.answerItems = snap.items.slice(-3);
    await shot(page, "30-polling-only-answer.png");
  } finally {
    checks.pageErrors = b.log.pageErrors;
    checks.consoleErrors = b.log.consoleErrors;
    await b.close();
  }
}

// ------------------------------------------------------------ main

const started = Date.now();
let proxy = null;
try {
  for (const [k, v] of Object.entries({ PAGE_URL, RASA_PORT, PROXY_PORT })) {
    if (!v) throw new Error(`${k} is not set`);
  }
  proxy = await startProxy();
  await scenario("main", (checks) => mainFlow(checks, proxy));
  await scenario("narrow375", narrowFlow);
  await scenario("keyboard", keyboardFlow);
  await scenario("polling", pollingFlow);
} catch (e) {
  report.fatal = String((e && e.stack) || e);
} finally {
  if (proxy) await proxy.close().catch(() => {});
}
report.seconds = (Date.now() - started) / 1000;
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
