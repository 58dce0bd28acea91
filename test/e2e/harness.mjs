// End-to-end harness: a real VS Code workbench (code-server, VS Code 1.139) with one or
// more packaged extensions installed, driven by playwright-core + Debian's Chromium.
//
// Prerequisite (once per machine): `bash scripts/code-server.sh install`.
//
//   import { startEditor, runExtensionTests } from "./harness.mjs";
//   const editor = await startEditor({ vsix: "dist/x.vsix", workspace: "/tmp/ws", settings: {...} });
//   try {
//     await editor.runCommand("My Ext: Do Thing");      // palette label, category optional
//     await editor.fillInputBox("name", { title: "Name" });
//     await editor.fillInputBox("s3cret", { password: true });
//     await editor.pickQuickPick("green");
//     await editor.viewContainer("My Ext");              // activity-bar item, by its title
//     await editor.treeItem("name").waitFor();           // playwright Locator
//     await editor.expand("name");
//     await editor.waitForNotification("Added name");   // or notifications() / notifications({ all: true })
//     await editor.waitForActivation("publisher.name");  // via the extension host log
//     await editor.screenshot("after-add");              // test-artifacts/after-add.png
//   } finally {
//     await editor.close();                              // browser + code-server process group
//   }
//   // In-host tests (like @vscode/test-electron), extension loaded from its folder:
//   const { exitCode } = await runExtensionTests({ extensionDevelopmentPath, extensionTestsPath });
//
// editor.page is the playwright Page for anything else.
// Logs: <userDataDir>/code-server.log (server); editor.extensionHostLog() reads
// <userDataDir>/logs/<session>/exthost1/remoteexthost.log (activation lines look like
// "ExtensionService#_doActivateExtension <publisher.name>, ..."; activation failures land
// there too); the extension's console.* output goes to the browser console, not to a file.
// editor.saveLogs(name) copies all of it into test-artifacts/<name>-logs/.
// Set E2E_KEEP=1 to keep the temp dirs (/tmp/e2e-editor-*) after close().
import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import util from "node:util";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "../..");
export const ARTIFACTS_DIR = path.join(REPO_ROOT, "test-artifacts");
const SCRIPT = path.join(REPO_ROOT, "scripts/code-server.sh");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Settings written into User/settings.json before start; `settings` given to startEditor win. */
export const DEFAULT_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
  "security.workspace.trust.startupPrompt": "never",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "git.openRepositoryInParentFolders": "never",
  "editor.accessibilitySupport": "off",
};

const COMMAND_PALETTE_ARIA = "Type the name of a command to run.";
const live = new Set(); // editors not yet closed, killed on process exit

process.once("exit", () => {
  for (const e of live) {
    e._killSync();
    if (!process.env.E2E_KEEP) fs.rmSync(e.tmp, { recursive: true, force: true });
  }
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    for (const e of live) e._killSync();
    process.exit(130);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd, args, { timeoutMs = 180_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ out, err });
      else reject(new Error(`${cmd} ${args.join(" ")} exited ${code}\n${err}${out}`));
    });
  });
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns something truthy, and returns that. */
export async function waitFor(fn, { timeoutMs = 30_000, intervalMs = 200, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Starts code-server + Chromium and opens the workbench.
 * @param {object} opts
 * @param {string|string[]} [opts.vsix]       packaged extension(s) to install first
 * @param {string} [opts.workspace]           folder to open (created if missing; default: a fresh temp dir)
 * @param {object} [opts.settings]            User settings (merged over DEFAULT_SETTINGS)
 * @param {number} [opts.port]                default: a free port
 * @param {{width:number,height:number}} [opts.viewport]  default 1280x800
 * @param {number} [opts.readyTimeoutMs]      default 120000
 * @param {string[]} [opts.vscodeOptions]     extra VS Code server flags (code-server --vscode-option)
 * @returns {Promise<Editor>}
 */
export async function startEditor(opts = {}) {
  const t0 = Date.now();
  const editor = await launchServer(opts);
  try {
    await editor._openBrowser(opts);
    await editor.page.goto(editor.url, { waitUntil: "domcontentloaded" });
    await editor._waitReady(opts.readyTimeoutMs || 120_000);
    editor.timings.readyMs = Date.now() - t0;
    return editor;
  } catch (err) {
    try {
      await editor.screenshot("startEditor-failure");
      editor.saveLogs("startEditor-failure");
    } catch { /* best effort: the start failure is what gets reported */ }
    await editor.close();
    throw err;
  }
}

/**
 * Runs in-host extension tests like @vscode/test-electron does, but in code-server:
 * the extension at `extensionDevelopmentPath` is loaded from disk (no vsix needed) into the
 * remote (Node) extension host, and the module at `extensionTestsPath` is required there
 * and its `run(): Promise<void>` awaited (typically a mocha runner; reject = failure).
 * How: code-server gets `--vscode-option enable-smoke-test-driver` (without it a built
 * workbench ignores the URL payload), the page is opened with
 * `?folder=W&payload=[["extensionDevelopmentPath","vscode-remote://host:port/abs"],
 * ["extensionTestsPath",...],["extensionEnvironment","{json}"]]`, and the workbench calls
 * window.codeAutomationExit(code) when the tests are done (0 = passed, 1 = run() rejected).
 * Output of the tests (console.* in the extension host) is forwarded through
 * window.codeAutomationLog and printed unless `quiet`.
 * @returns {Promise<{ exitCode: number, output: string[], durationMs: number }>}
 */
export async function runExtensionTests({
  extensionDevelopmentPath, extensionTestsPath, workspace, vsix, settings, env = {},
  timeoutMs = 300_000, quiet = false, port,
}) {
  const t0 = Date.now();
  const editor = await launchServer({ vsix, workspace, settings, port, vscodeOptions: ["enable-smoke-test-driver"] });
  const output = [];
  try {
    await editor._openBrowser({});
    const remote = (p) => `vscode-remote://127.0.0.1:${editor.port}${path.resolve(p)}`;
    const payload = [
      ["extensionDevelopmentPath", remote(extensionDevelopmentPath)],
      ["extensionTestsPath", remote(extensionTestsPath)],
      ["extensionEnvironment", JSON.stringify(env)],
    ];
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await editor.page.exposeFunction("codeAutomationExit", (code) => resolveExit(code));
    await editor.page.exposeFunction("codeAutomationLog", (level, args) => {
      // args are the raw console arguments (format string first, e.g. mocha's "%s%s").
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      // The workbench forwards its own log too; keep what the extension host printed.
      output.push(line);
      if (!quiet) (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
    });
    const url = `${editor.url}${editor.url.includes("?") ? "&" : "?"}payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await editor.page.goto(url, { waitUntil: "domcontentloaded" });
    let timer;
    const exitCode = await Promise.race([
      exited,
      new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`extension tests did not finish in ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    return { exitCode, output, durationMs: Date.now() - t0 };
  } catch (err) {
    try { editor.saveLogs("runExtensionTests-failure"); } catch { /* best effort */ }
    throw err;
  } finally {
    await editor.close();
  }
}

/** Installs the vsix(es) and starts code-server (no browser yet). */
async function launchServer(opts) {
  const t0 = Date.now();
  const vsixes = [].concat(opts.vsix || []).map((v) => path.resolve(v));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-editor-"));
  const userDataDir = path.join(tmp, "user-data");
  const extensionsDir = path.join(tmp, "extensions");
  const workspace = path.resolve(opts.workspace || path.join(tmp, "workspace"));
  fs.mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, "User", "settings.json"),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings || {}) }, null, 2)
  );
  const port = opts.port || (await freePort());
  const pidFile = path.join(tmp, "code-server.pid");
  const editor = new Editor({ tmp, userDataDir, extensionsDir, workspace, port, pidFile });
  live.add(editor);
  try {
    const args = ["start", "--port", String(port), "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir,
      "--workspace", workspace, "--pid-file", pidFile];
    for (const v of vsixes) args.push("--vsix", v);
    for (const o of opts.vscodeOptions || []) args.push("--vscode-option", o);
    const { out } = await run("bash", [SCRIPT, ...args]);
    editor.url = out.trim().split("\n").pop();
    editor.timings.serverMs = Date.now() - t0;
    return editor;
  } catch (err) {
    try { editor.saveLogs("code-server-start-failure"); } catch { /* best effort */ }
    await editor.close();
    throw err;
  }
}

class Editor {
  constructor({ tmp, userDataDir, extensionsDir, workspace, port, pidFile }) {
    Object.assign(this, { tmp, userDataDir, extensionsDir, workspace, port, pidFile });
    this.url = `http://127.0.0.1:${port}/`;
    this.browser = undefined;
    /** @type {import("playwright-core").Page} */
    this.page = undefined;
    /** every browser console message, "type: text" */
    this.consoleMessages = [];
    /** browser console errors only */
    this.consoleErrors = [];
    /** serverMs: code-server answering; readyMs: workbench ready (both from startEditor's start) */
    this.timings = {};
    this.closed = false;
  }

  async _openBrowser(opts) {
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    // A new context = a fresh profile (VS Code web keeps UI state in the browser's IndexedDB).
    const context = await this.browser.newContext({ viewport: opts.viewport || { width: 1280, height: 800 } });
    this.page = await context.newPage();
    this.page.setDefaultTimeout(30_000);
    // The workbench's and the extension host's console.* output (extension logging shows
    // up here, e.g. "%c INFO color: #33f my message").
    this.page.on("console", (m) => {
      this.consoleMessages.push(`${m.type()}: ${m.text()}`);
      if (m.type() === "error") this.consoleErrors.push(m.text());
    });
  }

  async _waitReady(timeoutMs) {
    const p = this.page;
    await p.locator(".monaco-workbench .part.activitybar").waitFor({ state: "visible", timeout: timeoutMs });
    await p.locator(".monaco-workbench .part.statusbar").waitFor({ state: "visible", timeout: timeoutMs });
    // The remote extension host is up once its log says so; extension contributions
    // (activity-bar items, commands) are registered shortly after.
    await waitFor(() => /Extension host with pid \d+ started/.test(this.extensionHostLog()), {
      timeoutMs, what: "the extension host to start (remoteexthost.log)",
    });
    // "Activating Extensions..." in the status bar goes away when startup activation is done.
    await waitFor(async () => !(await p.locator(".part.statusbar").innerText()).includes("Activating Extensions"), {
      timeoutMs, what: "startup extension activation",
    });
  }

  // ---------------------------------------------------------------- quick input

  /** The quick input widget (command palette, input boxes, quick picks). */
  quickInput() {
    return this.page.locator(".quick-input-widget");
  }

  async _quickInputState() {
    const w = this.quickInput();
    if (!(await w.isVisible().catch(() => false))) return null;
    return w.locator("input.input").first().evaluate((el) => ({
      aria: el.getAttribute("aria-label") || "",
      type: el.type,
      value: el.value,
      placeholder: el.placeholder,
      title: el.closest(".quick-input-widget")?.querySelector(".quick-input-title")?.textContent || "",
    })).catch(() => null);
  }

  /**
   * Runs a command from the command palette. `title` is the palette label, with or
   * without its category ("E2E Smoke: Add Smoke Item" or "Add Smoke Item").
   */
  async runCommand(title, { timeoutMs = 15_000 } = {}) {
    const p = this.page;
    const input = this.quickInput().locator("input.input").first();
    // A palette just opened can be closed at once by a focus change (a notification arriving, the last command's
    // widget going): it is opened again, rather than typed into for 30 s while hidden.
    for (let attempt = 1; ; attempt++) {
      await this.dismissQuickInput();
      await p.keyboard.press("F1");
      await waitFor(async () => (await this._quickInputState())?.aria === COMMAND_PALETTE_ARIA, {
        timeoutMs, what: "the command palette",
      });
      try {
        await input.fill(`>${title}`, { timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt >= 3 || (await this._quickInputState())?.aria === COMMAND_PALETTE_ARIA) throw error;
      }
    }
    await this._chooseOption((rows) => rows.find((r) => matchesCommandLabel(r.aria, title)),
      async () => (await this._quickInputState())?.aria !== COMMAND_PALETTE_ARIA,
      `command "${title}" in the command palette`, timeoutMs);
    // The palette closes (or is replaced by the command's own input) once the command runs.
    await waitFor(async () => (await this._quickInputState())?.aria !== COMMAND_PALETTE_ARIA, {
      timeoutMs, what: `the command palette to close after "${title}"`,
    });
  }

  /**
   * Waits for an input box (showInputBox / createInputBox), types `text` and presses Enter.
   * Works for password boxes (input type=password). Options: `password: true` asserts
   * the box is a password box; `title` / `prompt` (string or RegExp) wait for that box.
   * Throws with the validation message if the box does not accept the value.
   */
  async fillInputBox(text, { password, title, prompt, timeoutMs = 15_000 } = {}) {
    const w = this.quickInput();
    const state = await waitFor(async () => {
      const s = await this._quickInputState();
      if (!s || s.aria === COMMAND_PALETTE_ARIA) return null;
      // an input box has no visible list of options
      if (await w.locator(".quick-input-list [role=option]").first().isVisible().catch(() => false)) return null;
      if (title && !matchText(s.title, title)) return null;
      if (prompt && !matchText(await w.locator(".quick-input-message").innerText().catch(() => ""), prompt)) return null;
      return s;
    }, { timeoutMs, what: `an input box${title ? ` titled ${title}` : ""}` });
    if (password === true && state.type !== "password") throw new Error(`input box "${state.title || state.aria}" is not a password box`);
    if (password === false && state.type === "password") throw new Error(`input box "${state.title || state.aria}" is a password box`);
    const input = w.locator("input.input").first();
    await input.fill(text);
    await input.press("Enter");
    await this._waitAccepted(state, text, timeoutMs);
  }

  /**
   * Waits for a quick pick (showQuickPick / createQuickPick), filters it by `label` and
   * picks the item whose label is `label` (exact; else the first item starting with it).
   * `title` (string or RegExp) waits for that quick pick.
   */
  async pickQuickPick(label, { title, timeoutMs = 15_000 } = {}) {
    const w = this.quickInput();
    const option = w.locator(".quick-input-list [role=option]");
    const state = await waitFor(async () => {
      const s = await this._quickInputState();
      if (!s || s.aria === COMMAND_PALETTE_ARIA) return null;
      if (title && !matchText(s.title, title)) return null;
      if (!(await option.first().isVisible().catch(() => false))) return null;
      return s;
    }, { timeoutMs, what: `a quick pick${title ? ` titled ${title}` : ""}` });
    await w.locator("input.input").first().fill(label);
    await this._chooseOption(
      (rows) => rows.find((r) => r.name === label || r.aria === label) ||
        rows.find((r) => r.aria.startsWith(label) || r.name.startsWith(label)),
      async () => {
        const s = await this._quickInputState();
        return !s || s.aria !== state.aria || s.title !== state.title || s.type !== state.type || s.value !== label;
      },
      `quick pick item "${label}"`, timeoutMs);
  }

  /**
   * Clicks the list option picked by `match(rows)` (rows: {aria, name}) once the filtered
   * list has settled, and retries while `accepted()` stays false: the list re-renders
   * while it filters, so rows are found again by aria-label at click time.
   */
  async _chooseOption(match, accepted, what, timeoutMs) {
    const options = this.quickInput().locator(".quick-input-list [role=option]");
    const read = () => options.evaluateAll((els) => els.map((e) => ({
      aria: e.getAttribute("aria-label") || "",
      name: e.querySelector(".label-name")?.textContent?.trim() || "",
    })));
    const deadline = Date.now() + timeoutMs;
    let lastKey = "";
    let clicked = false;
    for (;;) {
      if (clicked && (await accepted())) return;
      const rows = await read().catch(() => []);
      const hit = match(rows);
      const key = JSON.stringify(rows);
      if (hit && key === lastKey) {
        // same list twice in a row: filtering is done
        await options.and(this.page.locator(`[aria-label=${JSON.stringify(hit.aria)}]`)).first()
          .click({ timeout: 5_000 }).catch(() => {});
        clicked = true;
        try {
          await waitFor(accepted, { timeoutMs: 3_000, what });
          return;
        } catch { /* not there yet: poll again */ }
        lastKey = "";
      } else {
        lastKey = key;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms choosing ${what}; options: ${key}`);
      await sleep(150);
    }
  }

  /** Waits until the quick input was accepted (closed, or replaced by the next step). */
  async _waitAccepted(before, typed, timeoutMs) {
    const w = this.quickInput();
    try {
      await waitFor(async () => {
        const s = await this._quickInputState();
        if (!s) return true;
        return s.aria !== before.aria || s.title !== before.title || s.type !== before.type ||
          (typed !== null && s.value !== typed) || s.placeholder !== before.placeholder;
      }, { timeoutMs, what: "the quick input to accept the value" });
    } catch (err) {
      const msg = await w.locator(".quick-input-message").innerText().catch(() => "");
      throw new Error(`${err.message}; quick input still shows "${before.title || before.aria}": ${msg}`, { cause: err });
    }
  }

  /** Presses Escape until no quick input (nor a right-click menu left open) is visible. */
  async dismissQuickInput() {
    const menu = this.page.locator(".context-view .monaco-menu");
    if (await menu.isVisible().catch(() => false)) await this.page.keyboard.press("Escape");
    for (let i = 0; i < 3 && (await this.quickInput().isVisible().catch(() => false)); i++) {
      await this.page.keyboard.press("Escape");
      await sleep(150);
    }
  }

  /** The entries of `target`'s right-click menu, the menu closed again. */
  async contextMenuEntries(target) {
    const menu = this.page.locator(".context-view .monaco-menu");
    await target.click({ button: "right" });
    await menu.waitFor({ state: "visible", timeout: 10_000 });
    const entries = await menu.locator(".action-label").allInnerTexts();
    await this.page.keyboard.press("Escape");
    await menu.waitFor({ state: "hidden", timeout: 5_000 }).catch(() => {});
    return entries;
  }

  /**
   * Right-clicks `target` and runs the menu entry labelled `entry`. A VS Code menu item listens for
   * the mouse-up only 100 ms after it is drawn (a timer that a loaded machine runs late), so a click
   * that comes sooner is swallowed: click again while the menu stays open.
   */
  async contextMenu(target, entry) {
    const menu = this.page.locator(".context-view .monaco-menu");
    await target.click({ button: "right" });
    await menu.waitFor({ state: "visible", timeout: 10_000 });
    const item = menu.locator(".action-item", { hasText: entry }).first();
    await item.waitFor({ state: "visible", timeout: 5_000 });
    await sleep(150);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await item.click({ timeout: 5_000 }).catch(() => {});
      if (await menu.waitFor({ state: "hidden", timeout: 2_000 }).then(() => true, () => false)) return;
    }
    await this.page.keyboard.press("Escape");
    throw new Error(`the menu entry "${entry}" did not run`);
  }

  // ---------------------------------------------------------------- views

  /** The activity-bar item (role=tab) whose title is `name` ("Explorer", "E2E Smoke", ...). */
  activityBarItem(name) {
    return this.page.locator(".part.activitybar [role=tab]").filter({
      has: this.page.locator(`a[aria-label=${JSON.stringify(name)}], a[aria-label^=${JSON.stringify(`${name} (`)}]`),
    });
  }

  /**
   * Opens the view container `name` from the activity bar (without toggling it closed if
   * it is already open) and returns the side bar locator.
   */
  async viewContainer(name, { timeoutMs = 15_000 } = {}) {
    const item = this.activityBarItem(name);
    await item.waitFor({ state: "visible", timeout: timeoutMs });
    const sidebar = this.page.locator(".part.sidebar");
    const isOpen = async () => (await item.getAttribute("aria-selected")) === "true" && (await sidebar.isVisible());
    if (!(await isOpen())) await item.click();
    await waitFor(isOpen, { timeoutMs, what: `view container "${name}" to open` });
    const titleRe = new RegExp(`^\\s*${escapeRe(name)}`, "i");
    await waitFor(async () => titleRe.test(await sidebar.locator(".composite.title").innerText().catch(() => "")), {
      timeoutMs, what: `side bar title "${name}"`,
    });
    return sidebar;
  }

  /**
   * A view (pane) by its name, e.g. "Smoke Items" (matched through the pane header's
   * aria-label "<name> Section", which exists even when a single-view container hides it).
   */
  view(name) {
    const panes = this.page.locator(".part.sidebar .pane, .part.auxiliarybar .pane, .part.panel .pane");
    return panes.filter({ has: this.page.locator(`.pane-header[aria-label=${JSON.stringify(`${name} Section`)}]`) }).first();
  }

  /** Expands a collapsed view section (pane) by name; no-op if it is already expanded or headerless. */
  async expandView(name) {
    const header = this.page.locator(`.pane-header[aria-label=${JSON.stringify(`${name} Section`)}]`).first();
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  }

  /**
   * Locator for the visible tree row (virtualised: only rows scrolled into view exist) whose label is `label` (exact text of the label, or
   * the row's aria-label, which VS Code takes from the tooltip / accessibilityInformation).
   * Pass a RegExp to match loosely. `view` restricts to one view section.
   */
  treeItem(label, { view } = {}) {
    const scope = view ? this.view(view) : this.page.locator(".part.sidebar, .part.auxiliarybar, .part.panel");
    const rows = scope.locator("[role=treeitem]:visible");
    if (label instanceof RegExp) return rows.filter({ has: this.page.locator(".label-name", { hasText: label }) }).first();
    const byName = rows.filter({ has: this.page.locator(".label-name", { hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`) }) });
    const byAria = scope.locator(`[role=treeitem][aria-label=${JSON.stringify(label)}]:visible`);
    return byName.or(byAria).first();
  }

  /**
   * Expands the tree item `label` (clicks its twistie) and waits for aria-expanded=true. A row drawn again just after
   * the click (the view refreshed as the item appeared: a store just added) comes back collapsed, as a person would
   * see it: clicked again then, every 3 s.
   */
  async expand(label, opts = {}) {
    const row = this.treeItem(label, opts);
    await row.waitFor({ state: "visible", timeout: opts.timeoutMs || 15_000 });
    const expanded = await row.getAttribute("aria-expanded");
    if (expanded === null) throw new Error(`tree item "${label}" is not collapsible`);
    let clicked = 0;
    await waitFor(async () => {
      if ((await row.getAttribute("aria-expanded")) === "true") return true;
      if (Date.now() - clicked > 3_000) {
        clicked = Date.now();
        await row.locator(".monaco-tl-twistie").click();
      }
      return false;
    }, { timeoutMs: opts.timeoutMs || 15_000, what: `tree item "${label}" to expand` });
    return row;
  }

  /** Text of the welcome content (viewsWelcome) shown in the side bar, "" if none. */
  async welcomeText() {
    const w = this.page.locator(".part.sidebar .welcome-view-content:visible, .part.sidebar .welcome-view:visible");
    if ((await w.count()) === 0) return "";
    return (await w.first().innerText()).trim();
  }

  // ---------------------------------------------------------------- notifications

  /**
   * Messages of the notifications currently shown as toasts (and in the notification
   * center if it is open). Toasts hide after a while; pass { all: true } to open the
   * notification center, read every notification and close it again.
   */
  async notifications({ all = false } = {}) {
    const p = this.page;
    const read = () => p.locator(".notifications-toasts .notification-list-item-message:visible, " +
      ".notifications-center .notification-list-item-message:visible").allInnerTexts();
    if (!all) return (await read()).map((s) => s.trim());
    const center = p.locator(".notifications-center");
    const wasOpen = await center.isVisible().catch(() => false);
    if (!wasOpen) {
      await this.runCommand("Notifications: Show Notifications");
      await center.waitFor({ state: "visible" });
    }
    const texts = await p.locator(".notifications-center .notification-list-item-message").allInnerTexts();
    if (!wasOpen) await this.runCommand("Notifications: Hide Notifications").catch(() => p.keyboard.press("Escape"));
    return [...new Set(texts.map((s) => s.trim()))];
  }

  /** Waits for a notification (toast) whose message matches `text` (substring or RegExp). */
  async waitForNotification(text, { timeoutMs = 15_000 } = {}) {
    return waitFor(async () => (await this.notifications()).find((m) => matchText(m, text)), {
      timeoutMs, what: `a notification matching ${text}`,
    });
  }

  // ---------------------------------------------------------------- logs, screenshots

  /** Newest remote extension host log (text), "" if there is none yet. */
  extensionHostLog() {
    const f = this.extensionHostLogPath();
    return f ? fs.readFileSync(f, "utf8") : "";
  }

  extensionHostLogPath() {
    const logs = path.join(this.userDataDir, "logs");
    if (!fs.existsSync(logs)) return null;
    const sessions = fs.readdirSync(logs).sort().reverse();
    for (const s of sessions) {
      const dir = path.join(logs, s);
      const hosts = fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => /^exthost\d+$/.test(d)).sort((a, b) =>
        Number(b.slice(7)) - Number(a.slice(7))) : [];
      for (const h of hosts) {
        const f = path.join(dir, h, "remoteexthost.log");
        if (fs.existsSync(f)) return f;
      }
    }
    return null;
  }

  /** Waits until the extension host log shows `extensionId` ("publisher.name") activating; throws on activation failure. */
  async waitForActivation(extensionId, { timeoutMs = 30_000 } = {}) {
    const id = escapeRe(extensionId);
    await waitFor(() => {
      const log = this.extensionHostLog();
      const failed = log.match(new RegExp(`Activating extension '?${id}'? failed[^\\n]*`, "i"));
      if (failed) throw new Error(`extension ${extensionId} failed to activate: ${failed[0]}`);
      return new RegExp(`_doActivateExtension ${id}[,\\s]`).test(log);
    }, { timeoutMs, what: `extension ${extensionId} to activate` });
  }

  /**
   * Sets a text setting in the Settings editor, as a person would: `id` typed into its search, the
   * row titled `title` filled with `value`. Waits until settings.json holds it, then closes the
   * Settings editor (it opens over the others, as a modal editor, in this code-server).
   */
  async setSettingInEditor(id, title, value, { timeoutMs = 15_000 } = {}) {
    const p = this.page;
    await this.runCommand("Preferences: Open User Settings");
    await p.locator(".settings-editor .suggest-input-container textarea, .settings-editor .suggest-input-container input").first().waitFor({ state: "visible", timeout: timeoutMs });
    await p.keyboard.type(id);
    const input = p.locator(".settings-editor .setting-item-contents", { hasText: title }).locator("input.input");
    await input.waitFor({ state: "visible", timeout: timeoutMs });
    await input.fill(value);
    await input.press("Enter");
    const settingsFile = path.join(this.userDataDir, "User", "settings.json");
    await waitFor(() => fs.readFileSync(settingsFile, "utf8").includes(value), { timeoutMs, what: `the setting ${id} to be saved` });
    const modal = p.locator(".monaco-modal-editor-block");
    await waitFor(async () => {
      if (!(await modal.isVisible())) return true;
      await p.keyboard.press("Escape");
      return false;
    }, { timeoutMs, what: "the Settings editor closed" });
  }

  /** Saves a full-page PNG to test-artifacts/<name>.png and returns its path. */
  async screenshot(name) {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, "_")}.png`);
    if (!this.page || this.page.isClosed()) return null;
    await this.page.screenshot({ path: file, timeout: 15_000 });
    return file;
  }

  /** Copies code-server.log and the VS Code logs into test-artifacts/<name>-logs/. */
  /** For a mocha afterEach: keeps a screenshot and the logs of a failed test, named after it. */
  async captureFailure(test, prefix) {
    if (test?.state !== "failed") return;
    const name = `${prefix}-failed-${test.title}`;
    await this.screenshot(name).catch(() => {});
    // CI keeps only the printed output: say what was on screen.
    const shown = async (selector) => (await this.page?.locator(selector).allInnerTexts().catch(() => []))?.join(" | ").replace(/\s+/g, " ") || "none";
    console.log(`      on screen when it failed: notifications: ${await shown(".notification-toast")}; quick input: ${
      await shown(".quick-input-widget:visible")}; menu: ${await shown(".context-view .monaco-menu")}; dialog: ${await shown(".monaco-dialog-box")}`);
    this.saveLogs(name);
  }

  saveLogs(name) {
    const dest = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, "_")}-logs`);
    fs.mkdirSync(dest, { recursive: true });
    const csLog = path.join(this.userDataDir, "code-server.log");
    if (fs.existsSync(csLog)) fs.copyFileSync(csLog, path.join(dest, "code-server.log"));
    const logs = path.join(this.userDataDir, "logs");
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dest, "logs"), { recursive: true });
    if (this.consoleMessages.length) fs.writeFileSync(path.join(dest, "browser-console.txt"), this.consoleMessages.join("\n"));
    return dest;
  }

  // ---------------------------------------------------------------- teardown

  _pgid() {
    try {
      const pid = Number(fs.readFileSync(this.pidFile, "utf8").trim());
      return pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  _killSync() {
    const pgid = this._pgid();
    if (pgid) {
      try { process.kill(-pgid, "SIGKILL"); } catch { /* already gone */ }
    }
    try { this.browser?.process?.()?.kill("SIGKILL"); } catch { /* already gone */ }
  }

  /** Closes the browser and kills code-server's whole process group. Safe to call twice. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.browser) await Promise.race([this.browser.close(), sleep(10_000)]);
    } catch { /* the kill below ends it anyway */ }
    if (fs.existsSync(this.pidFile)) {
      spawnSync("bash", [SCRIPT, "stop", "--pid-file", this.pidFile], { stdio: "ignore", timeout: 20_000 });
    }
    this._killSync();
    live.delete(this);
    if (!process.env.E2E_KEEP) fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

function matchText(s, pattern) {
  return pattern instanceof RegExp ? pattern.test(s) : s.includes(pattern);
}

function matchesCommandLabel(aria, title) {
  // aria-labels look like "Category: Title", "Category: Title, Ctrl+K" or
  // "Category: Title, recently used"; `title` may or may not include the category.
  const heads = [aria, aria.split(", ")[0]];
  return heads.some((h) => h === title || h.endsWith(`: ${title}`));
}
