// The staff dashboard in headless Debian Chromium: refused without the login,
// wrong password refused, right password shows the page with its plots drawn,
// logout closes it. Prints a JSON report on stdout for tests/web/test_dashboard.py.
//
// Environment:
//   STAFF_URL    http://127.0.0.1:<port>/staff
//   PASSWORD     the right password
//   ARTIFACTS    where the screenshots go
//   CHROMIUM     the browser (default /usr/bin/chromium)

import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, "../../web/package.json"));
const { chromium } = require("playwright-core");

const STAFF_URL = process.env.STAFF_URL;
const PASSWORD = process.env.PASSWORD;
const ARTIFACTS = process.env.ARTIFACTS;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

const report = { steps: {} };
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mfr-dashboard-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
  viewport: { width: 1280, height: 900 },
});
const page = context.pages()[0] || (await context.newPage());
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));

async function state() {
  return page.evaluate(() => ({
    title: document.title,
    loginForm: !!document.querySelector("form#login input[type=password]"),
    failed: !!document.querySelector("#failed"),
    plots: Array.from(document.querySelectorAll("img.plot")).map((img) => ({
      id: img.id,
      complete: img.complete,
      width: img.naturalWidth,
      height: img.naturalHeight,
    })),
    clusters: Array.from(document.querySelectorAll("tr.cluster")).map((tr) => ({
      count: Number(tr.querySelector("td.count").textContent),
      examples: Array.from(tr.querySelectorAll("li")).map((li) => li.textContent),
    })),
    conversations: document.querySelector("#conversations")?.textContent ?? null,
  }));
}

try {
  const first = await page.goto(STAFF_URL);
  report.steps.anonymous = { status: first.status(), ...(await state()) };

  await page.fill("#password", "not-the-password");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  report.steps.wrong = await state();

  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/staff$/), page.click("button[type=submit]")]);
  await page.waitForFunction(() => Array.from(document.querySelectorAll("img.plot")).every((i) => i.complete));
  report.steps.loggedIn = await state();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, "dashboard.png"), fullPage: true });

  await Promise.all([page.waitForLoadState("load"), page.click("#logout")]);
  report.steps.loggedOut = await state();
  const again = await page.goto(STAFF_URL);
  report.steps.afterLogout = { status: again.status(), ...(await state()) };
} catch (error) {
  report.error = String(error && error.stack ? error.stack : error);
} finally {
  report.pageErrors = pageErrors;
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
