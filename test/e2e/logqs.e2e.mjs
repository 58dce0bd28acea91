// The LogQS back end in the real editor (code-server + Chromium): connect to a DataStore through the
// Connect to LogQS… input boxes, see it beside "This computer" with its object stores, expand one,
// and download an object. The LogQS API is the test server that stands in for the hosted service
// (test/support/logqsApiServer.ts, from the reference page); its objects are in the real RGW.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import s3Server from "../../out/test/support/s3Server.js";
import apiServer from "../../out/test/support/logqsApiServer.js";
import { REPO_ROOT, startEditor, waitFor } from "./harness.mjs";

const { S3_ACCESS_KEY, S3_ENDPOINT, S3_SECRET_KEY, createBucketWith, deleteBucket } = s3Server;
const VSIX = path.join(REPO_ROOT, "dist", "logqs-object-stores.vsix");
const BAG = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 13) % 256));

describe("LogQS DataStore in code-server", function () {
  let editor;
  let bucket;
  let server;
  let workspace;

  const row = (label) => editor.treeItem(label, { view: "Object Stores" });

  before(async function () {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
    bucket = await createBucketWith("e2e-logqs", { "fleet/run 9/robot.bag": BAG, "fleet/notes.txt": "from LogQS" });
    server = await new apiServer.LogqsApiServer().start();
    const store = { bucket_name: bucket, access_key_id: S3_ACCESS_KEY, secret_access_key: S3_SECRET_KEY, endpoint_url: S3_ENDPOINT, key_prefix: "fleet/" };
    server.seed({ name: "fleet-logs", ...store, default: true });
    server.seed({ name: "archive", ...store, read_only: true });
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "logqs-e2e-ws-"));
    editor = await startEditor({ vsix: VSIX, workspace });
  });

  afterEach(async function () {
    await editor?.captureFailure(this.currentTest, "logqs");
  });

  after(async function () {
    await editor?.close();
    await server?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    if (bucket) await deleteBucket(bucket);
  });

  it("connects through the input boxes and shows the DataStore beside this computer", async function () {
    await editor.viewContainer("LogQS");
    await editor.runCommand("LogQS: Connect to LogQS…");
    await editor.fillInputBox(server.url, { prompt: /API URL/ });
    await editor.fillInputBox(server.datastoreId, { prompt: /DataStore ID/ });
    await editor.fillInputBox(server.apiKeyId, { prompt: /API key ID/ });
    await editor.fillInputBox(server.apiKeySecret, { prompt: /API key secret/, password: true });
    await editor.fillInputBox("Robot fleet", { prompt: /Name of this DataStore/ });
    await editor.waitForNotification('Connected to the LogQS DataStore "Robot fleet"', { timeoutMs: 30_000 });
    await row("This computer").waitFor({ state: "visible", timeout: 20_000 });
    await row("Robot fleet").waitFor({ state: "visible" });
    await row("fleet-logs").waitFor({ state: "visible", timeout: 20_000 });
    const description = await row("archive").locator(".label-description").innerText();
    assert.match(description, /read-only/);
    await editor.screenshot("e2e-logqs-1-connected");
  });

  it("expands a LogQS object store and downloads an object through its presigned URL", async function () {
    await editor.expand("fleet-logs", { view: "Object Stores" });
    await editor.expand("run 9/", { view: "Object Stores" });
    await row("robot.bag").waitFor({ state: "visible", timeout: 20_000 });
    await editor.contextMenu(row("robot.bag"), "Download…");
    await editor.pickQuickPick(path.basename(workspace));
    await editor.waitForNotification(/Downloaded 1 file/, { timeoutMs: 30_000 });
    const downloaded = path.join(workspace, "robot.bag");
    await waitFor(() => fs.existsSync(downloaded), { what: "the downloaded file" });
    assert.ok(fs.readFileSync(downloaded).equals(BAG), "the downloaded file differs from the object");
    assert.ok(server.requests.some((request) => /\/objectStores\/[^/]+\/objects\/fleet\/run%209\/robot\.bag/.test(request)), server.requests.join("\n"));
    await editor.screenshot("e2e-logqs-2-downloaded");
  });
});
