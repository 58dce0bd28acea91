// How a folder download's memory grows with its number of files (not their size, which streams
// through a fixed set of buffers: see README, Speed). The engine downloads N objects of 1 byte from
// a store in memory (test/support/transfers.ts) into a temporary folder, so only what it keeps per
// file is measured: the job's report (each file's key and path) and the names the download claims
// (kept by the command for all its jobs), with each listed key a string of its own, as a listing's
// parser makes it. Prints the heap they hold after the job (after a full GC) per file, and asserts nothing.
// Usage: npm run bench:download-memory [-- files...]   (default 20000 100000)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import downloadModule from "../out/src/core/transfer/download.js";
import threadsModule from "../out/src/adapters/files/wholeFileThreads.js";
import transfers from "../out/test/support/transfers.js";

if (typeof globalThis.gc !== "function") {
  console.error("Run with node --expose-gc, so that what is kept is measured, not what is not collected yet.");
  process.exit(2);
}
const counts = process.argv.slice(2).map(Number);
const heapAfterGc = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
const files = threadsModule.createWholeFileThreads();
const one = Buffer.from("x");
try {
  for (const count of counts.length > 0 ? counts : [20_000, 100_000]) {
    // Keys as a robot's logs have them: 100 runs' folders, long names.
    const objects = {};
    for (let i = 0; i < count; i++) objects[`logs/run-${String(i % 100).padStart(3, "0")}/sensor-data-file-${i}.mcap`] = one;
    const store = transfers.memoryDownloadContext(objects, files);
    const context = {
      ...store,
      settings: { ...store.settings, fileConcurrency: 8 },
      // Keys copied: the store's own strings are counted before the job, a server's listing makes new ones.
      list: async (...args) => {
        const page = await store.list(...args);
        return { ...page, objects: page.objects.map((object) => ({ ...object, key: Buffer.from(object.key).toString() })) };
      },
    };
    const target = mkdtempSync(path.join(os.tmpdir(), "logqs-download-memory-"));
    try {
      const before = heapAfterGc();
      const started = performance.now();
      const claims = downloadModule.downloadClaims();
      const report = await downloadModule.downloadObjects(context, {
        keys: [], prefixes: ["logs/"], targetDir: target, claims, signal: new AbortController().signal, onProgress: () => undefined, onConflict: async () => "skip",
      });
      const seconds = (performance.now() - started) / 1000;
      const kept = heapAfterGc() - before;
      // Held until after the reading, as the command holds them.
      if (!claims.has(report.files[0].path)) throw new Error("the download claimed no name for its first file");
      console.log(`${String(report.files.length).padStart(8)} files  ${(kept / 1e6).toFixed(1).padStart(6)} MB kept  ${Math.round(kept / count)} bytes a file  (${seconds.toFixed(1)} s)`);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  }
} finally {
  files.dispose();
}
