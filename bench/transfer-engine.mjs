// The extension's transfer engine as a command, so the benchmark can time it (and its peak memory)
// exactly like the peer tools: a fresh process per run. bench/transfer.mjs bundles it as the extension
// is bundled (esbuild.mjs), so it starts like the extension's code loads, and runs it on the Node of
// the editor's extension host.
// Usage: node <bundle> download-key|download-prefix|upload <bucket> <key|prefix|path> <dir|prefix>
// Settings: package.json defaults, or LOGQS_PART_MIB / LOGQS_PART_CONCURRENCY / LOGQS_LOOPBACK_PART_CONCURRENCY /
// LOGQS_FILE_CONCURRENCY (the server is on this machine: downloads use the loopback one).
// Prints the engine's own time (startup excluded) as JSON. LOGQS_BENCH_WARM_UP=1 times a second job
// instead, after the same job once into another target, as in an editor that has transferred before.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { keepCodeCacheIn } from "../src/adapters/vendor/loaders.ts";
import { MIB, jobCallbacks, transferRig } from "../test/support/transfers.ts";

let started = performance.now();
// As the extension keeps V8's code cache of the SDK's bundle in its global storage, across sessions: here beside the
// bundle, one folder per Node (a cache is one Node's), written by the first run.
keepCodeCacheIn(path.join(path.dirname(process.argv[1]), `code-cache-${process.version}`));
const [command, bucket, what, where] = process.argv.slice(2);
const defaults = JSON.parse(readFileSync("package.json", "utf8")).contributes.configuration.properties;
const setting = (env, name) => Number(process.env[env] ?? defaults[`logqs.transfer.${name}`].default);
const rig = transferRig({
  settings: {
    partSizeBytes: setting("LOGQS_PART_MIB", "partSizeMiB") * MIB,
    partConcurrency: setting("LOGQS_PART_CONCURRENCY", "partConcurrency"),
    loopbackPartConcurrency: setting("LOGQS_LOOPBACK_PART_CONCURRENCY", "loopbackPartConcurrency"),
    fileConcurrency: setting("LOGQS_FILE_CONCURRENCY", "fileConcurrency"),
  },
});
// A CommonJS bundle, as the extension is: no top-level await.
async function main() {
  const store = await rig.addStore(bucket);
  const job = (target) => {
    const { callbacks } = jobCallbacks();
    if (command === "upload") return rig.objects.upload(rig.source, store.id, [what], target, callbacks);
    const items = command === "download-key" ? { keys: [what], prefixes: [] } : { keys: [], prefixes: [what] };
    return rig.objects.download(rig.source, store.id, items, target, callbacks);
  };
  // The warm-up job goes elsewhere: a sibling folder, left for the benchmark to remove with its other
  // outputs (deleting it here would slow the next tool's file creation), or another key prefix. Its dirty
  // pages are written out before the timed job starts.
  const warmUpFolder = process.env.LOGQS_BENCH_WARM_UP && command !== "upload" ? `${where}-warm-up` : undefined;
  if (process.env.LOGQS_BENCH_WARM_UP) {
    if (warmUpFolder) mkdirSync(warmUpFolder, { recursive: true });
    await job(warmUpFolder ?? `warm-up-${where}`);
    // Loaded only here: a fresh-process run would otherwise pay for a module the extension never loads (10 ms on Node 24).
    const { execFileSync } = await import("node:child_process");
    execFileSync("sync");
    started = performance.now();
  }
  const report = await job(where);
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, files: report.files?.length ?? report.keys.length, bytes: report.bytes, skipped: report.skipped.length }));
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  // Its threads stopped whether the job ended or failed: a thread left running would keep a failed run from exiting.
  .finally(() => rig.dispose());
