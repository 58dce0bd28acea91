// Runs the in-editor suite (test/vscode/suite, the one @vscode/test-electron runs on machines
// that can download VS Code) inside code-server's extension host, with this repository as the
// extension under development.
import assert from "node:assert/strict";
import path from "node:path";
import { REPO_ROOT, runExtensionTests } from "./harness.mjs";

describe("in-editor suite in code-server's extension host", function () {
  it("passes", async function () {
    const { exitCode, output } = await runExtensionTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, "out", "test", "vscode", "suite", "index.js"),
      env: {
        LOGQS_S3_ENDPOINT: process.env.LOGQS_S3_ENDPOINT ?? "http://127.0.0.1:7480",
      },
      quiet: true,
    });
    const text = output.join("\n");
    console.log(text.split("\n").filter((line) => /✔|passing|failing|\d+\) /.test(line)).map((line) => `      ${line.trim()}`).join("\n"));
    assert.equal(exitCode, 0, text);
    assert.match(text, /[1-9]\d* passing/);
  });
});
