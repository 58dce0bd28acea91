// The extension's transfer engine as a command, so the benchmark can time it (and its peak memory)
// exactly like the peer tools: a fresh process per run. bench/transfer.mjs bundles it with esbuild
// first, as the extension itself is bundled, so it starts like the extension's code loads.
// Usage: node <bundle> download-key|download-prefix|upload <bucket> <key|prefix|path> <dir|prefix>
// Settings: package.json defaults, or LOGQS_PART_MIB / LOGQS_PART_CONCURRENCY / LOGQS_LOOPBACK_PART_CONCURRENCY /
// LOGQS_FILE_CONCURRENCY (the server is on this machine: downloads use the loopback one).
// Prints the engine's own time (startup excluded) as JSON.
import { readFileSync } from "node:fs";
import { MIB, jobCallbacks, transferRig } from "../test/support/transfers.ts";

const started = performance.now();
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
const store = await rig.addStore(bucket);
const { callbacks } = jobCallbacks();
let report;
if (command === "upload") {
  report = await rig.objects.upload(rig.source, store.id, [what], where, callbacks);
} else {
  const items = command === "download-key" ? { keys: [what], prefixes: [] } : { keys: [], prefixes: [what] };
  report = await rig.objects.download(rig.source, store.id, items, where, callbacks);
}
rig.dispose();
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, files: report.files?.length ?? report.keys.length, bytes: report.bytes, skipped: report.skipped.length }));
