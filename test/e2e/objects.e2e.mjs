// Objects in the real editor (code-server + Chromium) against the real S3 server: open a text
// object from the tree, download an object into the workspace, upload a file from the Explorer's
// right-click, download a folder into an Explorer folder from its right-click, and a transfer's
// progress notification (cancelled: no file left behind).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import s3Server from "../../out/test/support/s3Server.js";
import proxyModule from "../../out/test/support/tcpProxy.js";
import { REPO_ROOT, startEditor, waitFor } from "./harness.mjs";

const { S3_ACCESS_KEY, S3_ENDPOINT, S3_SECRET_KEY, adminClient, createBucketWith, deleteBucket } = s3Server;
const VSIX = path.join(REPO_ROOT, "dist", "logqs-object-stores.vsix");
const README = "Robot log notes\nrun-001: lidar calibration ok\n";
const BAG = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
const BIG_BYTES = 64 * 1024 * 1024;
// Through a throttling proxy the big object takes several seconds: long enough to see (and cancel) its progress.
const SLOW_BYTES_PER_SECOND = 8 * 1024 * 1024;

describe("objects in code-server", function () {
  let editor;
  let bucket;
  let tmp;
  let workspace;
  let proxy;

  const logqsRow = (label) => editor.treeItem(label, { view: "Object Stores" });
  const explorerRow = (label) => editor.page.locator(".explorer-folders-view [role=treeitem]", { hasText: label }).first();

  /** Download… from a row's menu, then the folder picker. */
  async function downloadFromMenu(row) {
    await editor.contextMenu(row, "Download…");
    await editor.pickQuickPick("workspace");
  }

  before(async function () {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
    bucket = await createBucketWith("e2e-objects", {
      "logs/readme.txt": README,
      "logs/shared-notes.txt": "calibration: pending\n",
      "logs/run-001/robot.bag": BAG,
      "logs/big.bin": Buffer.alloc(BIG_BYTES, 7),
      "other/outside.txt": "outside the prefix",
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "logqs-e2e-objects-"));
    workspace = path.join(tmp, "workspace");
    fs.mkdirSync(workspace);
    fs.writeFileSync(path.join(workspace, "to-upload.txt"), "uploaded from the Explorer\n");
    fs.mkdirSync(path.join(workspace, "incoming"));
    proxy = await proxyModule.startTcpProxy({ target: new URL(S3_ENDPOINT), bytesPerSecond: SLOW_BYTES_PER_SECOND });
    const managed = path.join(tmp, "managed.json");
    const store = (name, endpoint) => ({
      name, bucket_name: bucket, region_name: "us-east-1", access_key_id: S3_ACCESS_KEY,
      secret_access_key: S3_SECRET_KEY, endpoint_url: endpoint, key_prefix: "logs/",
    });
    fs.writeFileSync(managed, JSON.stringify({ objectStores: [store("robot-logs", S3_ENDPOINT), store("slow-link", proxy.url)] }));
    // The same stores with robot-logs made read-only, for the last test.
    fs.writeFileSync(path.join(tmp, "managed-read-only.json"), JSON.stringify({ objectStores: [{ ...store("robot-logs", S3_ENDPOINT), read_only: true }, store("slow-link", proxy.url)] }));
    editor = await startEditor({ vsix: VSIX, workspace, settings: { "logqs.managedObjectStoresFile": managed, "files.autoSave": "off" } });
    await editor.viewContainer("LogQS");
    await logqsRow("robot-logs").waitFor({ state: "visible", timeout: 30_000 });
  });

  afterEach(async function () {
    await editor?.captureFailure(this.currentTest, "objects");
  });

  after(async function () {
    await editor?.close();
    await proxy?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (bucket) await deleteBucket(bucket);
  });

  it("opens a text object from the tree in an editor tab and shows its text", async function () {
    await editor.expand("robot-logs", { view: "Object Stores" });
    await logqsRow("readme.txt").click();
    const tab = editor.page.locator(".tabs-container .tab", { hasText: "readme.txt" });
    await tab.waitFor({ state: "visible", timeout: 20_000 });
    const text = editor.page.locator(".editor-instance .monaco-editor .view-lines");
    // The editor renders spaces as no-break spaces.
    await waitFor(async () => (await text.innerText().catch(() => "")).replace(/\s/g, " ").includes("lidar calibration ok"), { what: "the object's text in the editor" });
    await editor.screenshot("e2e-objects-1-open");
  });

  it("downloads an object into the workspace, byte for byte, and shows it in the Explorer", async function () {
    await editor.viewContainer("LogQS");
    await editor.expand("run-001/", { view: "Object Stores" });
    await downloadFromMenu(logqsRow("robot.bag"));
    await editor.waitForNotification(/Downloaded 1 file/, { timeoutMs: 30_000 });
    const local = path.join(workspace, "robot.bag");
    assert.ok(fs.readFileSync(local).equals(BAG), "the downloaded file differs from the object");
    await editor.viewContainer("Explorer");
    await explorerRow("robot.bag").waitFor({ state: "visible", timeout: 15_000 });
    await editor.screenshot("e2e-objects-2-downloaded");
  });

  it("uploads a file through the Explorer's right-click and shows it in the tree", async function () {
    await editor.viewContainer("Explorer");
    await editor.contextMenu(explorerRow("to-upload.txt"), "Upload to LogQS Object Store…");
    await editor.pickQuickPick("robot-logs");
    await editor.pickQuickPick("Choose this folder");
    await editor.waitForNotification(/Uploaded 1 file/, { timeoutMs: 30_000 });
    const s3 = adminClient();
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "logs/to-upload.txt" }));
    assert.equal(await object.Body.transformToString(), "uploaded from the Explorer\n");
    s3.destroy();
    await editor.viewContainer("LogQS");
    await logqsRow("to-upload.txt").waitFor({ state: "visible", timeout: 20_000 });
    await editor.screenshot("e2e-objects-3-uploaded");
  });

  it("downloads a folder into the Explorer's folder through its right-click, browsing the store to it", async function () {
    await editor.viewContainer("Explorer");
    await editor.contextMenu(explorerRow("incoming"), "Download from LogQS Object Store…");
    await editor.pickQuickPick("robot-logs");
    await editor.pickQuickPick("run-001", { title: /robot-logs\/$/ });
    await editor.pickQuickPick("Choose this folder", { title: /robot-logs\/run-001\/$/ });
    await editor.waitForNotification(/Downloaded 1 file .*incoming/, { timeoutMs: 30_000 });
    const local = path.join(workspace, "incoming", "run-001", "robot.bag");
    assert.ok(fs.readFileSync(local).equals(BAG), "the downloaded file differs from the object");
    // Revealed where it landed: the folder it came in, inside the clicked one.
    await explorerRow("run-001").waitFor({ state: "visible", timeout: 15_000 });
    await editor.screenshot("e2e-objects-3b-downloaded-from-explorer");
  });

  it("shows a transfer's progress in one notification, and Cancel leaves no file behind", async function () {
    await editor.viewContainer("LogQS");
    await editor.expand("slow-link", { view: "Object Stores" });
    // Both stores list big.bin; the second row is the slow store's.
    const bigRows = editor.view("Object Stores").locator("[role=treeitem]", { hasText: "big.bin" });
    await waitFor(async () => (await bigRows.count()) === 2, { timeoutMs: 20_000, what: "the slow store's listing" });
    await downloadFromMenu(bigRows.last());
    const toast = editor.page.locator(".notifications-toasts .notification-toast", { hasText: 'Downloading from "slow-link"' });
    await toast.waitFor({ state: "visible", timeout: 20_000 });
    await waitFor(async () => /MB of 67\.1 MB/.test(await toast.innerText()), { what: "bytes in the progress notification" });
    await editor.screenshot("e2e-objects-4-progress");
    await toast.getByRole("button", { name: "Cancel" }).click();
    await toast.waitFor({ state: "detached", timeout: 20_000 });
    await waitFor(() => !fs.readdirSync(workspace).some((name) => name.includes("big.bin")), {
      timeoutMs: 10_000, what: "no file or partial file of big.bin in the workspace",
    });
  });

  it("saves over a colleague's change after one question, VS Code's own, not a second one of the extension's", async function () {
    await editor.viewContainer("LogQS");
    await logqsRow("shared-notes.txt").click();
    const text = editor.page.locator(".editor-instance .monaco-editor .view-lines");
    await waitFor(async () => (await text.innerText().catch(() => "")).replace(/\s/g, " ").includes("calibration: pending"), { what: "the object's text in the editor" });
    await text.click();
    await editor.page.keyboard.press("Control+End");
    await editor.page.keyboard.type("checked by me");
    // A colleague's version, a second later (S3 times are whole seconds) and of another size: VS Code's own check sees it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await adminClient().send(new PutObjectCommand({ Bucket: bucket, Key: "logs/shared-notes.txt", Body: "calibration: done by a colleague\n" }));
    await editor.page.keyboard.press("Control+s");
    await editor.waitForNotification(/content of the file is newer/);
    await editor.screenshot("e2e-objects-5-newer-on-save");
    await editor.page.locator(".notifications-toasts .notification-toast", { hasText: "newer" }).getByRole("button", { name: "Overwrite" }).click();
    const stored = async () => {
      const answer = await adminClient().send(new GetObjectCommand({ Bucket: bucket, Key: "logs/shared-notes.txt" }));
      return answer.Body.transformToString();
    };
    // Saved at once: no second question of the extension's ("changed … since it was opened") stands in the way.
    await waitFor(async () => (await stored()).includes("checked by me"), {
      timeoutMs: 10_000,
      what: "the save on the server",
    });
    assert.equal(await editor.page.locator(".monaco-dialog-box").count(), 0, "a second question was asked");
    assert.equal(await stored(), "calibration: pending\nchecked by me");
  });

  it("makes the open tab of an object read-only when its store is made read-only", async function () {
    await editor.viewContainer("LogQS");
    await logqsRow("readme.txt").click();
    const text = editor.page.locator(".editor-instance .monaco-editor .view-lines");
    await waitFor(async () => (await text.innerText().catch(() => "")).replace(/\s/g, " ").includes("lidar calibration ok"), { what: "the object's text in the editor" });
    // Another provisioning file, set in the Settings editor (the extension re-syncs on the change): robot-logs is now read-only.
    const readOnlyFile = path.join(tmp, "managed-read-only.json");
    // Focus settled in the tab first: the tab taking it late would close the command palette.
    await text.click();
    await editor.setSettingInEditor("logqs.managedObjectStoresFile", "Managed Object Stores File", readOnlyFile);
    await waitFor(async () => (await logqsRow("robot-logs").innerText()).includes("read-only"), { what: "the store shown read-only" });
    await editor.page.locator(".tabs-container .tab", { hasText: "readme.txt" }).click();
    // The tab is read again, with the store's permissions: typing changes nothing, and VS Code says why.
    // (Typed once: an edit, were the tab still editable, would keep VS Code from reading it again.)
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await text.click();
    await editor.page.keyboard.type("Z");
    await waitFor(async () => /read-only/i.test((await editor.page.locator(".monaco-editor-overlaymessage").allInnerTexts().catch(() => [])).join(" ")), {
      timeoutMs: 5_000, what: "VS Code refusing an edit of the read-only tab",
    });
    assert.ok(!(await text.innerText()).includes("Z"), "the read-only tab was edited");
    await editor.screenshot("e2e-objects-6-read-only-tab");
  });
});
