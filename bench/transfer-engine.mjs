// The extension's transfer engine as a command, so the benchmark can time it (and its peak memory)
// exactly like the peer tools: a fresh process per run.
// Usage: node bench/transfer-engine.mjs download-key|download-prefix|upload <bucket> <key|prefix|path> <dir|prefix>
// Settings: package.json defaults, or LOGQS_PART_MIB / LOGQS_PART_CONCURRENCY / LOGQS_FILE_CONCURRENCY.
import { readFileSync } from "node:fs";
import transfers from "../out/test/support/transfers.js";

const [command, bucket, what, where] = process.argv.slice(2);
const defaults = JSON.parse(readFileSync(new URL("../package.json", import.meta.url))).contributes.configuration.properties;
const setting = (env, name) => Number(process.env[env] ?? defaults[`logqs.transfer.${name}`].default);
const rig = transfers.transferRig({
  settings: {
    partSizeBytes: setting("LOGQS_PART_MIB", "partSizeMiB") * transfers.MIB,
    partConcurrency: setting("LOGQS_PART_CONCURRENCY", "partConcurrency"),
    fileConcurrency: setting("LOGQS_FILE_CONCURRENCY", "fileConcurrency"),
  },
});
const store = await rig.addStore(bucket);
const { callbacks } = transfers.jobCallbacks();
let report;
if (command === "upload") {
  report = await rig.objects.upload(rig.source, store.id, [what], where, callbacks);
} else {
  const items = command === "download-key" ? { keys: [what], prefixes: [] } : { keys: [], prefixes: [what] };
  report = await rig.objects.download(rig.source, store.id, items, where, callbacks);
}
rig.dispose();
console.log(JSON.stringify({ files: report.files?.length ?? report.keys.length, bytes: report.bytes, skipped: report.skipped.length }));
