#!/usr/bin/env node
// bench/activation-editor.mjs — the extension's activation time in a real editor (code-server),
// as VS Code itself reports it in Developer: Show Running Extensions, for one or more packages.
//
// Usage: node bench/activation-editor.mjs [--runs N] [package.vsix]...
//   (default: dist/logqs-object-stores.vsix, from `npm run --silent package`). Each run starts a
//   fresh code-server (test/e2e/harness.mjs), opens the LogQS view, which activates the extension,
//   and reads the time; packages are measured in alternation. Prints the median; asserts nothing.
import { startEditor, waitFor } from "../test/e2e/harness.mjs";
import os from "node:os";

const argv = process.argv.slice(2);
const runs = argv.includes("--runs") ? Number(argv[argv.indexOf("--runs") + 1]) : 5;
const packages = argv.filter((arg, i) => arg.endsWith(".vsix") && argv[i - 1] !== "--runs");
if (packages.length === 0) packages.push("dist/logqs-object-stores.vsix");

/** Starts an editor with the package, opens the view, returns the activation time VS Code shows (ms). */
async function activationMs(vsix) {
  // Tall enough that every running extension's row is drawn: the list draws only the rows in view,
  // and ours, when it activates fastest, is the last.
  const editor = await startEditor({ vsix, viewport: { width: 1280, height: 1600 } });
  try {
    await editor.viewContainer("LogQS");
    await editor.waitForActivation("logqs.logqs-object-stores");
    await editor.runCommand("Developer: Show Running Extensions");
    const row = editor.page.locator(".runtime-extensions-editor .monaco-list-row", { hasText: "LogQS Object Stores" }).first();
    const text = await waitFor(async () => (await row.isVisible()) && /Activation: \d+ms/.exec(await row.innerText()), {
      what: "the activation time in Running Extensions",
    });
    return Number(/\d+/.exec(text[0])[0]);
  } finally {
    await editor.close();
  }
}

const times = new Map(packages.map((vsix) => [vsix, []]));
for (let run = 0; run < runs; run++) {
  for (const vsix of packages) {
    times.get(vsix).push(await activationMs(vsix));
  }
}
console.log(`${runs} code-server starts per package, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`);
for (const [vsix, values] of times) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  console.log(`${vsix}: median ${median} ms (${sorted.join(", ")})`);
}
