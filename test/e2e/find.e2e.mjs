// Find and filter in the real editor (code-server + Chromium) against the real S3 server: Find Object…
// from the palette (type a prefix, pick an object, see it selected in the tree, loaded through the
// pages on its way) and from a folder's menu, and Filter… / Clear Filter on a folder.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import s3Server from "../../out/test/support/s3Server.js";
import { REPO_ROOT, startEditor, waitFor } from "./harness.mjs";

const { S3_ACCESS_KEY, S3_ENDPOINT, S3_SECRET_KEY, createBucketWith, deleteBucket, putEmptyObjects } = s3Server;
const VSIX = path.join(REPO_ROOT, "dist", "logqs-object-stores.vsix");
const MANY = Array.from({ length: 300 }, (_, i) => `logs/many/file-${String(i).padStart(4, "0")}.bin`);
// Small pages, so the object found lies several pages deep in its folder.
const PAGE_SIZE = 50;

describe("find and filter in code-server", function () {
  let editor;
  let bucket;
  let tmp;

  const logqsRow = (label) => editor.treeItem(label, { view: "Object Stores" });
  const rowNames = async () => editor.view("Object Stores").locator("[role=treeitem] .label-name").allInnerTexts();

  before(async function () {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
    bucket = await createBucketWith("e2e-find", { "logs/readme.txt": "hello", "logs/run-001/robot.bag": "bag", "other/outside.bin": "x" });
    await putEmptyObjects(bucket, MANY);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "logqs-e2e-find-"));
    const workspace = path.join(tmp, "workspace");
    fs.mkdirSync(workspace);
    const managed = path.join(tmp, "managed.json");
    fs.writeFileSync(managed, JSON.stringify({
      objectStores: [{
        name: "robot-logs", bucket_name: bucket, region_name: "us-east-1", access_key_id: S3_ACCESS_KEY,
        secret_access_key: S3_SECRET_KEY, endpoint_url: S3_ENDPOINT, key_prefix: "logs/",
      }],
    }));
    editor = await startEditor({
      vsix: VSIX, workspace, settings: { "logqs.managedObjectStoresFile": managed, "logqs.objectListing.pageSize": PAGE_SIZE },
    });
    await editor.viewContainer("LogQS");
    await logqsRow("robot-logs").waitFor({ state: "visible", timeout: 30_000 });
  });

  afterEach(async function () {
    await editor?.captureFailure(this.currentTest, "find");
  });

  after(async function () {
    await editor?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (bucket) await deleteBucket(bucket);
  });

  it("finds an object by typing the start of its key, and selects it in the tree", async function () {
    await editor.runCommand("LogQS: Find Object…");
    await editor.pickQuickPick("robot-logs");
    const input = editor.quickInput().locator("input.input").first();
    const options = editor.quickInput().locator(".quick-input-list [role=option]");
    await waitFor(async () => (await editor.quickInput().locator(".quick-input-title").innerText().catch(() => "")).includes("Find Object in robot-logs"), {
      what: "the Find Object list",
    });
    await input.fill("many/file-027");
    await waitFor(async () => {
      const names = await options.locator(".label-name").allInnerTexts().catch(() => []);
      return names.length === 10 && names.every((name) => name.trim().startsWith("many/file-027"));
    }, { timeoutMs: 20_000, what: "the ten keys that start with many/file-027, from the server" });
    await editor.screenshot("e2e-find-1-typed");
    await editor.pickQuickPick("many/file-0277.bin");
    // The object is selected in the tree once the folders and pages on its way are loaded (it is on the 6th page of 50).
    const row = logqsRow("file-0277.bin");
    await row.waitFor({ state: "visible", timeout: 30_000 });
    await waitFor(async () => (await row.getAttribute("aria-selected")) === "true", { timeoutMs: 15_000, what: "file-0277.bin selected in the tree" });
    // Then Open / Download… / Copy Presigned URL are offered.
    await waitFor(async () => (await options.locator(".label-name").allInnerTexts().catch(() => [])).map((name) => name.trim()).join(",") === "Open,Download…,Copy Presigned URL", {
      what: "the actions offered for the object found",
    });
    await editor.screenshot("e2e-find-2-revealed");
    await editor.dismissQuickInput();
  });

  it("finds from a folder's right-click menu, within that folder, and copies the object's presigned URL", async function () {
    await editor.viewContainer("LogQS");
    // The first test left many/ open with 300 rows: collapse the view so run-001/ is in sight.
    await editor.view("Object Stores").hover();
    await editor.page.locator('.part.sidebar .action-item a[aria-label="Collapse All"]').first().click();
    await editor.expand("robot-logs", { view: "Object Stores" });
    await editor.contextMenu(logqsRow("run-001/"), "Find Object…");
    const options = editor.quickInput().locator(".quick-input-list [role=option] .label-name");
    await waitFor(async () => (await options.allInnerTexts().catch(() => [])).map((name) => name.trim()).join(",") === "robot.bag", {
      what: "the folder's one object in the Find Object list",
    });
    assert.match(await editor.quickInput().locator(".quick-input-title").innerText(), /Find Object in robot-logs\/run-001\//);
    await editor.pickQuickPick("robot.bag");
    await editor.pickQuickPick("Copy Presigned URL");
    await editor.waitForNotification(/Copied a presigned URL for "logs\/run-001\/robot.bag"/);
    await waitFor(async () => (await logqsRow("robot.bag").getAttribute("aria-selected")) === "true", { what: "robot.bag selected in the tree" });
  });

  it("filters a folder by the start of its children's names, says so, and Clear Filter shows them all", async function () {
    await editor.viewContainer("LogQS");
    const folder = await editor.expand("many/", { view: "Object Stores" });
    await editor.contextMenu(folder, "Filter…");
    await editor.fillInputBox("file-012", { title: /Filter many\// });
    await waitFor(async () => (await folder.locator(".label-description").innerText().catch(() => "")).includes("filter: file-012*"), {
      what: "the filter in the folder's description",
    });
    const files = async () => (await rowNames()).map((name) => name.trim()).filter((name) => name.startsWith("file-"));
    await waitFor(async () => {
      const names = await files();
      return names.length === 10 && names.every((name) => name.startsWith("file-012"));
    }, { timeoutMs: 20_000, what: "only the ten matches under many/" });
    await editor.screenshot("e2e-find-3-filtered");
    await editor.contextMenu(folder, "Clear Filter");
    await waitFor(async () => (await folder.locator(".label-description").innerText().catch(() => "")) === "", { what: "the filter gone from the description" });
    await waitFor(async () => (await files()).some((name) => !name.startsWith("file-012")), { timeoutMs: 20_000, what: "the folder's other children" });
  });
});
