// Session credentials in the real editor (code-server + Chromium): Get Session Credentials on a store
// from the tree, the quick pick of ways to use them, and a terminal opened with them in which the
// AWS CLI lists the store's objects, against the real S3 server's STS.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import s3Server from "../../out/test/support/s3Server.js";
import { REPO_ROOT, startEditor, waitFor } from "./harness.mjs";

/** Every file under dir, to look for leaked secrets. */
function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

const { S3_ACCESS_KEY, S3_ENDPOINT, S3_SECRET_KEY, createBucketWith, deleteBucket } = s3Server;
const VSIX = path.join(REPO_ROOT, "dist", "logqs-object-stores.vsix");

describe("session credentials in code-server", function () {
  let editor;
  let bucket;
  let tmp;
  /** The session secret and token, once seen in a copied profile. */
  const sessionSecrets = [];
  const terminalRows = () => editor.page.locator(".terminal-wrapper.active .xterm-rows").first();
  const terminalText = async () => (await terminalRows().innerText().catch(() => "")).replace(/\s+/g, " ");

  async function typeInTerminal(command) {
    await editor.page.locator(".terminal-wrapper.active .xterm").first().click();
    await editor.page.keyboard.type(command);
    await editor.page.keyboard.press("Enter");
  }

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

  it("copies the credentials as an AWS CLI profile, read back from the clipboard", async function () {
    await editor.page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(editor.url).origin });
    await editor.viewContainer("LogQS");
    await editor.treeItem("sts-logs", { view: "Object Stores" }).waitFor({ state: "visible", timeout: 30_000 });
    await editor.runCommand("LogQS: Get Session Credentials…");
    await editor.pickQuickPick("sts-logs");
    await editor.pickQuickPick("Copy as AWS CLI Profile", { title: /Session credentials for "sts-logs"/, timeoutMs: 30_000 });
    await editor.waitForNotification('Copied session credentials for "sts-logs"');
    const copied = await editor.page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, new RegExp(`^\\[profile logqs-sts-logs\\]\\nregion = us-east-1\\nendpoint_url = ${S3_ENDPOINT.replace(/\./g, "\\.")}$`, "m"));
    const secret = /^aws_secret_access_key = (\S+)$/m.exec(copied)?.[1];
    const token = /^aws_session_token = (\S+)$/m.exec(copied)?.[1];
    assert.ok(secret && token, copied.replace(/= \S+/g, "= …"));
    assert.notEqual(secret, S3_SECRET_KEY, "session credentials, not the store's own key");
    sessionSecrets.push(secret, token);
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
    await editor.contextMenu(store, "Get Session Credentials…");

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
    await waitFor(async () => (await terminalText()).includes("They expire at"), { what: "the terminal's message with the expiry" });
    await typeInTerminal(`/usr/bin/aws s3 ls s3://${bucket}/logs/ --endpoint-url ${S3_ENDPOINT}; echo "exit=$?"`);
    const text = await waitFor(async () => {
      const shown = await terminalText();
      return /exit=\d/.test(shown) ? shown : null;
    }, { timeoutMs: 60_000, what: "the AWS CLI's output in the terminal" });
    assert.match(text, /readme\.txt/);
    assert.match(text, /PRE run-7\//);
    assert.match(text, /exit=0/);
    assert.ok((await terminalTab.count()) > 0 || /LogQS: sts-logs/.test(await editor.page.locator(".part.panel").innerText()), "the terminal is named after the store");
    await editor.screenshot("e2e-sts-2-terminal");
  });

  it("opens the terminal from the palette, where listing outside the prefix is refused", async function () {
    await editor.runCommand("LogQS: Open Terminal with Session Credentials");
    await editor.pickQuickPick("sts-logs");
    // A new terminal: the expiry message, and nothing typed in it yet.
    await waitFor(async () => {
      const shown = await terminalText();
      return shown.includes("They expire at") && !shown.includes("exit=");
    }, { timeoutMs: 30_000, what: "a second terminal with the credentials" });
    // Inside the prefix the same terminal lists (its credentials work), outside it is refused by the server. Debian's AWS
    // CLI can't print radosgw's refusal (its empty <Message> makes it fail on a None), so the answer's code is read
    // from its debug output.
    await typeInTerminal(
      `/usr/bin/aws s3 ls s3://${bucket}/logs/ --endpoint-url ${S3_ENDPOINT}; echo "inside=$?"; f=$(mktemp); ` +
        `/usr/bin/aws s3 ls s3://${bucket}/other/ --endpoint-url ${S3_ENDPOINT} --debug >"$f" 2>&1; s=$?; ` +
        `grep -o '<Code>[A-Za-z]*</Code>' "$f" | head -1; rm -f "$f"; echo "outside=$s"`,
    );
    const text = await waitFor(async () => {
      const shown = await terminalText();
      return /outside=\d+/.test(shown) ? shown : null;
    }, { timeoutMs: 60_000, what: "the refused listing's exit code" });
    assert.match(text, /inside=0\b/);
    assert.match(text, /<Code>AccessDenied<\/Code>/);
    assert.doesNotMatch(text, /outside=0\b/);
    assert.doesNotMatch(text, /hidden\.txt/);
  });

  it("leaves no session secret in any file of the editor's profile", async function () {
    assert.equal(sessionSecrets.length, 2);
    for (const file of filesUnder(editor.userDataDir)) {
      const content = fs.readFileSync(file, "latin1");
      for (const secret of sessionSecrets) {
        assert.ok(!content.includes(secret), `a session secret leaked into ${file}`);
      }
    }
  });
});
