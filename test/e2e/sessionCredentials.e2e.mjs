// Session credentials in the real editor (code-server + Chromium): Get Session Credentials on a store
// from the tree, the quick pick of ways to use them, and a terminal opened with them in which the
// AWS CLI lists the store's objects, against the real S3 server's STS.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import s3Server from "../../out/test/support/s3Server.js";
import { REPO_ROOT, startEditor, waitFor } from "./harness.mjs";

const { S3_ACCESS_KEY, S3_ENDPOINT, S3_SECRET_KEY, createBucketWith, deleteBucket } = s3Server;
const VSIX = path.join(REPO_ROOT, "dist", "logqs-object-stores.vsix");

describe("session credentials in code-server", function () {
  let editor;
  let bucket;
  let tmp;

  before(async function () {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
    bucket = await createBucketWith("e2e-sts", { "logs/run-7/robot.bag": "bag", "logs/readme.txt": "hello", "other/hidden.txt": "outside" });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "logqs-e2e-sts-"));
    const managed = path.join(tmp, "managed.json");
    fs.writeFileSync(managed, JSON.stringify({
      objectStores: [{
        name: "sts-logs", bucket_name: bucket, region_name: "us-east-1", access_key_id: S3_ACCESS_KEY, secret_access_key: S3_SECRET_KEY,
        endpoint_url: S3_ENDPOINT, key_prefix: "logs/", read_only: true, context: { role_arn: "arn:aws:iam:::role/logqs" },
      }],
    }));
    editor = await startEditor({
      vsix: VSIX,
      // The DOM renderer puts the terminal's text in the page, where the test can read it.
      settings: { "logqs.managedObjectStoresFile": managed, "terminal.integrated.gpuAcceleration": "off" },
    });
  });

  afterEach(async function () {
    await editor?.captureFailure(this.currentTest, "sts");
  });

  after(async function () {
    await editor?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (bucket) await deleteBucket(bucket);
  });

  it("offers the ways to use session credentials, and opens a terminal where the AWS CLI lists the store", async function () {
    await editor.viewContainer("LogQS");
    const store = editor.treeItem("sts-logs", { view: "Object Stores" });
    await store.waitFor({ state: "visible", timeout: 30_000 });
    await store.click({ button: "right" });
    const menu = editor.page.locator(".context-view .monaco-menu");
    await menu.waitFor({ state: "visible" });
    await menu.locator(".action-item", { hasText: "Get Session Credentials…" }).first().click();

    const options = editor.quickInput().locator(".quick-input-list [role=option]");
    await waitFor(async () => (await options.count()) >= 6, { timeoutMs: 30_000, what: "the ways to use the credentials" });
    const title = await editor.quickInput().locator(".quick-input-title").innerText();
    assert.match(title, /Session credentials for "sts-logs" \(.*logs\/, read-only\), valid until/);
    const labels = (await options.allInnerTexts()).join(" | ");
    for (const way of ["Open Terminal with Session Credentials", "(bash, zsh)", "(fish)", "(PowerShell)", "AWS CLI Profile", "boto3"]) {
      assert.ok(labels.includes(way), `${way} is not offered: ${labels}`);
    }
    await editor.screenshot("e2e-sts-1-actions");
    await editor.pickQuickPick("Open Terminal with Session Credentials");

    const terminalTab = editor.page.locator(".terminal-tabs-entry, .single-terminal-tab, .terminal-tab", { hasText: "LogQS: sts-logs" });
    const rows = editor.page.locator(".terminal-wrapper.active .xterm-rows, .terminal .xterm-rows").first();
    await rows.waitFor({ state: "visible", timeout: 30_000 });
    await waitFor(async () => (await rows.innerText()).trim().length > 0, { what: "a shell prompt" });
    await editor.page.locator(".terminal .xterm-helper-textarea").first().focus();
    await editor.page.keyboard.type(`/usr/bin/aws s3 ls s3://${bucket}/logs/ --endpoint-url ${S3_ENDPOINT}; echo "exit=$?"`);
    await editor.page.keyboard.press("Enter");
    const text = await waitFor(async () => {
      const shown = (await rows.innerText()).replace(/\s+/g, " ");
      return /exit=\d/.test(shown) ? shown : null;
    }, { timeoutMs: 60_000, what: "the AWS CLI's output in the terminal" });
    assert.match(text, /readme\.txt/);
    assert.match(text, /PRE run-7\//);
    assert.match(text, /exit=0/);
    assert.ok((await terminalTab.count()) > 0 || /LogQS: sts-logs/.test(await editor.page.locator(".part.panel").innerText()), "the terminal is named after the store");
    await editor.screenshot("e2e-sts-2-terminal");
  });
});
