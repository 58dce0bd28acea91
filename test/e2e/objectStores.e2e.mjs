// The packaged extension in a real VS Code (code-server), driven through its UI by Chromium,
// against the real S3 server (Ceph radosgw) that scripts/test-all.sh starts.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import s3Server from "../../out/test/support/s3Server.js";
import { REPO_ROOT, startEditor, waitFor } from "./harness.mjs";

const { S3_ACCESS_KEY, S3_ENDPOINT, S3_SECRET_KEY, adminClient, createBucketWith, deleteBucket } = s3Server;
const VSIX = path.join(REPO_ROOT, "dist", "logqs-object-stores.vsix");
const WRONG_SECRET = "wrong-secret-e2e-0123456789";
// How long a box that is expected to refuse its value is given to accept it anyway.
const REFUSAL_MS = 4_000;

const SAMPLE = {
  "logs/run-001/robot.bag": Buffer.alloc(2_500_000, 1),
  "logs/run-001/camera.mcap": "mcap",
  "logs/run-002/lidar.mcap": "lidar",
  "logs/日本語/データ.mcap": "unicode",
  "logs/readme.txt": "hello",
  "logs/with space + plus é.bag": "space",
  [`logs/${"very-long-recording-name-".repeat(8)}end.mcap`]: "long",
  "other/outside-prefix.bag": "must not be listed",
  "top-level-outside.txt": "must not be listed",
};

/** Every file under dir, for looking for leaked secrets. */
function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

describe("LogQS Object Stores in code-server", function () {
  let editor;
  let bucket;
  let tmp;

  const view = () => editor.view("Object Stores");
  const row = (label) => editor.treeItem(label, { view: "Object Stores" });
  const visible = (label) => row(label).waitFor({ state: "visible", timeout: 20_000 });
  /** Waits until a store's row shows a flag such as "default" or "disabled" beside its name. */
  const showsFlag = (store, flag) =>
    view().locator("[role=treeitem]", { hasText: store }).first().locator(".label-description", { hasText: flag }).waitFor();

  async function editFlag(store, flag, answer) {
    await editor.runCommand("LogQS: Edit Object Store");
    await editor.pickQuickPick(store);
    await editor.pickQuickPick(flag);
    await editor.pickQuickPick(answer);
  }

  async function addStoreThroughInputBoxes({ name, secret, prefix }) {
    await editor.runCommand("LogQS: Add Object Store");
    await editor.fillInputBox(name, { title: /Add Object Store \(1\/9\)/ });
    await editor.fillInputBox(bucket, { title: /\(2\/9\)/ });
    await editor.fillInputBox("us-east-1", { title: /\(3\/9\)/ });
    await editor.fillInputBox(S3_ACCESS_KEY, { title: /\(4\/9\)/ });
    await editor.fillInputBox(secret, { title: /\(5\/9\)/, password: true });
    await editor.fillInputBox(S3_ENDPOINT, { title: /\(6\/9\)/ });
    await editor.fillInputBox(prefix, { title: /\(7\/9\)/ });
    await editor.pickQuickPick("No", { title: /\(8\/9\)/ });
    await editor.fillInputBox("", { title: /\(9\/9\)/ });
  }

  before(async function () {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run build && npm run package first`);
    bucket = await createBucketWith("e2e", SAMPLE);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "logqs-e2e-"));
    editor = await startEditor({
      vsix: VSIX,
      // A small page makes "Load more…" appear with a handful of keys.
      settings: { "logqs.objectListing.pageSize": 4 },
    });
  });

  afterEach(async function () {
    await editor?.captureFailure(this.currentTest, "objectStores");
  });

  after(async function () {
    await editor?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (bucket) await deleteBucket(bucket);
  });

  it("shows the LogQS view with a welcome message when there is no store", async function () {
    await editor.viewContainer("LogQS");
    await editor.page.getByText("No object stores yet.").waitFor({ state: "visible", timeout: 30_000 });
    assert.match(await editor.welcomeText(), /Add an object store/);
    await editor.waitForActivation("logqs.logqs-object-stores");
    await editor.screenshot("e2e-1-welcome");
  });

  it("adds a store through the input boxes and lists its objects under the prefix", async function () {
    await addStoreThroughInputBoxes({ name: "robot-logs", secret: S3_SECRET_KEY, prefix: "logs/" });
    await editor.waitForNotification('Added object store "robot-logs"');
    await visible("robot-logs");
    assert.equal(await editor.welcomeText(), "");
    await editor.expand("robot-logs", { view: "Object Stores" });
    await visible("run-001/");
    // pageSize 4: the first page holds 4 of the 6 entries, the rest come with "Load more…".
    await visible("Load more…");
    await row("Load more…").click();
    await visible("with space + plus é.bag");
    await visible("readme.txt");
    assert.equal(await row("Load more…").count(), 0);
    const labels = await view().locator("[role=treeitem] .label-name").allInnerTexts();
    assert.ok(labels.some((label) => label.startsWith("very-long-recording-name-")), labels.join(" | "));
    assert.ok(!labels.some((label) => /outside/.test(label)), `keys outside the prefix are listed: ${labels.join(" | ")}`);
    await editor.expand("run-001/", { view: "Object Stores" });
    await visible("robot.bag");
    const size = await row("robot.bag").locator(".label-description").innerText();
    assert.equal(size.trim(), "2.5 MB");
    await editor.expand("日本語/", { view: "Object Stores" });
    await visible("データ.mcap");
    await editor.screenshot("e2e-2-objects");
  });

  it("refuses bad input on the offending field with a clear message", async function () {
    await editor.runCommand("LogQS: Add Object Store");
    await assert.rejects(editor.fillInputBox("robot-logs", { title: /\(1\/9\)/, timeoutMs: REFUSAL_MS }), /name "robot-logs" is already used/);
    await editor.fillInputBox("second-store", { title: /\(1\/9\)/ });
    await assert.rejects(editor.fillInputBox("Bad_Bucket", { title: /\(2\/9\)/, timeoutMs: REFUSAL_MS }), /bucket_name may only hold lowercase letters/);
    await editor.screenshot("e2e-3-validation");
    await editor.fillInputBox(bucket, { title: /\(2\/9\)/ });
    await editor.fillInputBox("us-east-1", { title: /\(3\/9\)/ });
    await editor.fillInputBox(S3_ACCESS_KEY, { title: /\(4\/9\)/ });
    await editor.fillInputBox("x", { title: /\(5\/9\)/, password: true });
    await assert.rejects(editor.fillInputBox("ftp://example.com", { title: /\(6\/9\)/, timeoutMs: REFUSAL_MS }), /endpoint_url must start with http/);
    await editor.dismissQuickInput();
    assert.equal(await row("second-store").count(), 0, "a cancelled add must not create a store");
  });

  it("reports a wrong secret as a notification with the cause, never a stack trace", async function () {
    await addStoreThroughInputBoxes({ name: "wrong-secret", secret: WRONG_SECRET, prefix: "logs/" });
    const message = await editor.waitForNotification(/"wrong-secret".*can't be listed/, { timeoutMs: 30_000 });
    assert.match(message, /secret access key/);
    assert.doesNotMatch(message, /\n\s+at |Error:|\.js:\d+/);
    await editor.expand("wrong-secret", { view: "Object Stores" });
    await visible(/Access denied to bucket/);
    await editor.screenshot("e2e-4-wrong-secret");
  });

  it("sets the default, edits and deletes stores from the command palette", async function () {
    await editor.runCommand("LogQS: Set as Default Object Store");
    await editor.pickQuickPick("robot-logs");
    await editor.waitForNotification('"robot-logs" is now the default object store');
    await showsFlag("robot-logs", "default");

    await editor.runCommand("LogQS: Edit Object Store");
    await editor.pickQuickPick("wrong-secret");
    await editor.pickQuickPick("name");
    await assert.rejects(editor.fillInputBox("robot-logs", { timeoutMs: REFUSAL_MS }), /already used/);
    await editor.fillInputBox("renamed-store");
    await editor.waitForNotification('Saved object store "renamed-store"');
    await visible("renamed-store");

    await editor.runCommand("LogQS: Delete Object Store");
    await editor.pickQuickPick("renamed-store");
    const dialog = editor.page.locator(".monaco-dialog-box");
    await dialog.waitFor({ state: "visible" });
    assert.match(await dialog.innerText(), /Objects in the bucket are not touched/);
    await dialog.getByRole("button", { name: "Delete" }).click();
    await editor.waitForNotification('Deleted object store "renamed-store"');
    await row("renamed-store").waitFor({ state: "detached" });
    await visible("robot-logs");
  });

  it("shows a managed store from the provisioning file and offers no edit or delete for it", async function () {
    const managedFile = path.join(tmp, "managed-object-stores.json");
    const managed = {
      name: "lqs-managed", bucket_name: bucket, region_name: "us-east-1", access_key_id: S3_ACCESS_KEY,
      secret_access_key: S3_SECRET_KEY, endpoint_url: S3_ENDPOINT, key_prefix: "logs/run-002/", read_only: true,
    };
    fs.writeFileSync(managedFile, JSON.stringify({ objectStores: [managed] }));
    // Set through the Settings editor, as a person would; the extension re-syncs on the change.
    await editor.setSettingInEditor("logqs.managedObjectStoresFile", "Managed Object Stores File", managedFile);
    await visible("lqs-managed");
    const description = await row("lqs-managed").locator(".label-description").innerText();
    assert.match(description, /read-only/);
    assert.match(description, /managed/);
    await editor.expand("lqs-managed", { view: "Object Stores" });
    await visible("lidar.mcap");

    const entries = await editor.contextMenuEntries(row("lqs-managed"));
    assert.ok(entries.some((entry) => /Set as Default/.test(entry)), entries.join(" | "));
    assert.ok(!entries.some((entry) => /Edit Object Store|Delete Object Store/.test(entry)), entries.join(" | "));

    await editor.runCommand("LogQS: Edit Object Store");
    // Read once the picker has drawn its stores (the editable one is there), not while it is still empty.
    const optionList = editor.quickInput().locator(".quick-input-list [role=option]");
    const options = await waitFor(async () => {
      const shown = await optionList.allInnerTexts();
      return shown.some((option) => option.includes("robot-logs")) ? shown : null;
    }, { timeoutMs: 20_000, what: "the stores offered for Edit" });
    await editor.dismissQuickInput();
    assert.ok(!options.some((option) => option.includes("lqs-managed")), options.join(" | "));
    await editor.screenshot("e2e-5-managed");

    // The administrator updates the file while the editor is open: its stores follow, without a reload or a setting change.
    fs.writeFileSync(managedFile, JSON.stringify({ objectStores: [managed, { ...managed, name: "provisioned-later" }] }));
    await visible("provisioned-later");
    fs.writeFileSync(managedFile, JSON.stringify({ objectStores: [managed] }));
    await row("provisioned-later").waitFor({ state: "detached", timeout: 20_000 });
    await visible("lqs-managed");
  });

  it("shows new objects after Refresh", async function () {
    const s3 = adminClient();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "logs/uploaded-later.mcap", Body: "new" }));
    s3.destroy();
    assert.equal(await row("uploaded-later.mcap").count(), 0, "listings are cached until refreshed");
    await editor.runCommand("LogQS: Refresh");
    await editor.expand("robot-logs", { view: "Object Stores" });
    // pageSize 4: the new key sorts last, on the second page.
    await visible("Load more…");
    await row("Load more…").click();
    await visible("uploaded-later.mcap");
  });

  it("shows a disabled store as such and refuses to list it", async function () {
    await editFlag("robot-logs", "disabled", "Yes");
    await editor.waitForNotification('Saved object store "robot-logs"');
    await showsFlag("robot-logs", "disabled");
    await editor.expand("robot-logs", { view: "Object Stores" });
    await visible(/"robot-logs" is disabled/);
    assert.equal(await row("readme.txt").count(), 0, "a disabled store must list nothing");
    await editor.screenshot("e2e-6-disabled");

    await editFlag("robot-logs", "disabled", "No");
    await editor.expand("robot-logs", { view: "Object Stores" });
    await visible("readme.txt");
  });

  it("keeps secrets out of the records file and the logs", async function () {
    const files = filesUnder(editor.userDataDir);
    const records = files.find((file) => file.endsWith(`${path.sep}object-stores.json`));
    assert.ok(records, "the records file was not written");
    const text = fs.readFileSync(records, "utf8");
    assert.match(text, /"robot-logs"/);
    assert.match(text, /"lqs-managed"/);
    const logs = files.filter((file) => file.endsWith(".log"));
    assert.ok(logs.some((file) => /LogQS/.test(path.basename(file))), `no LogQS log among ${logs.length} logs`);
    for (const file of [records, ...logs]) {
      const content = fs.readFileSync(file, "utf8");
      for (const secret of [S3_SECRET_KEY, WRONG_SECRET]) {
        assert.ok(!content.includes(secret), `${secret} leaked into ${file}`);
      }
    }
  });
});
