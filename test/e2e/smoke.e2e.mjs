// Smoke test of the e2e harness against a throwaway extension (fixtures/smoke-extension),
// packaged here into a temp dir. Run:
//   bash scripts/code-server.sh install   # once per machine
//   npx mocha --timeout 300000 test/e2e/smoke.e2e.mjs
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT, runExtensionTests, startEditor } from "./harness.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, "fixtures", "smoke-extension");
const VSCE = path.join(REPO_ROOT, "node_modules", ".bin", "vsce");

function packageFixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-smoke-ext-"));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const vsix = path.join(dir, "e2e-smoke.vsix");
  execFileSync(VSCE, ["package", "--no-dependencies", "--allow-missing-repository", "--skip-license", "-o", vsix],
    { cwd: dir, stdio: "pipe" });
  return { dir, vsix };
}

describe("e2e harness smoke (code-server + Chromium)", function () {
  let editor;
  let ext;

  before(async function () {
    ext = packageFixture();
    editor = await startEditor({ vsix: ext.vsix, settings: { "workbench.colorTheme": "Default Dark Modern" } });
    console.log(`      workbench ready in ${editor.timings.readyMs} ms (server ${editor.timings.serverMs} ms)`);
  });

  afterEach(async function () {
    await editor?.captureFailure(this.currentTest, "smoke");
  });

  after(async function () {
    await editor?.close();
    if (ext) fs.rmSync(ext.dir, { recursive: true, force: true });
  });

  it("shows the view container with the welcome message", async function () {
    await editor.viewContainer("E2E Smoke");
    await editor.page.getByText("No smoke items yet.").waitFor({ state: "visible" });
    assert.match(await editor.welcomeText(), /No smoke items yet\./);
    await editor.waitForActivation("e2e.e2e-smoke");
    await editor.screenshot("smoke-1-welcome");
  });

  it("adds a tree item through a command, an input box and a password box", async function () {
    await editor.runCommand("E2E Smoke: Add Smoke Item");
    await editor.fillInputBox("alpha item", { title: "Smoke item name" });
    await editor.fillInputBox("s3cret", { password: true, title: "Smoke secret" });
    assert.equal(await editor.waitForNotification("Added smoke item alpha item"), "Added smoke item alpha item");
    await editor.viewContainer("E2E Smoke");
    const item = editor.treeItem("alpha item", { view: "Smoke Items" });
    await item.waitFor({ state: "visible" });
    await editor.expand("alpha item");
    await editor.treeItem("secret has 6 chars").waitFor({ state: "visible" });
    assert.equal(await editor.welcomeText(), "");
    await editor.screenshot("smoke-2-tree-item");
  });

  it("picks an item from a quick pick", async function () {
    await editor.runCommand("Pick Smoke Color");
    await editor.pickQuickPick("green", { title: "Smoke color" });
    await editor.waitForNotification("Picked smoke color green");
    const all = await editor.notifications({ all: true });
    assert.ok(all.includes("Added smoke item alpha item"), `notification center: ${JSON.stringify(all)}`);
    assert.ok(all.includes("Picked smoke color green"), `notification center: ${JSON.stringify(all)}`);
    await editor.screenshot("smoke-3-quick-pick");
  });

  it("logged the extension activation in the extension host log", function () {
    const log = editor.extensionHostLog();
    assert.match(log, /_doActivateExtension e2e\.e2e-smoke/);
    assert.doesNotMatch(log, /Activating extension 'e2e\.e2e-smoke' failed/);
  });
});

describe("in-host extension tests via runExtensionTests (code-server)", function () {
  const run = (env) => runExtensionTests({
    extensionDevelopmentPath: FIXTURE,
    extensionTestsPath: path.join(FIXTURE, "test", "index.js"),
    env: { MOCHA_PATH: path.join(REPO_ROOT, "node_modules", "mocha"), ...env },
    quiet: true,
  });

  it("runs mocha inside the extension host and reports exit code 0", async function () {
    const { exitCode, output, durationMs } = await run({});
    console.log(`      in-host run took ${durationMs} ms`);
    const text = output.join("\n");
    assert.equal(exitCode, 0, text);
    assert.match(text, /activates and registers its commands/);
    assert.match(text, /2 passing/);
  });

  it("reports exit code 1 when an in-host test fails", async function () {
    const { exitCode, output } = await run({ SMOKE_FAIL: "1" });
    const text = output.join("\n");
    assert.equal(exitCode, 1, text);
    assert.match(text, /deliberate failure \(SMOKE_FAIL\)/);
    assert.match(text, /1 failing/);
  });
});
