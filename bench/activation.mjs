#!/usr/bin/env node
// bench/activation.mjs — `npm run bench:activation`: how long the extension takes to start.
//
// Each run is a fresh Node process (test/support/activationProbe.ts, with a stub `vscode`)
// that requires the bundle, calls `activate`, then lists the first page of a store's
// objects through the tree, as the editor does when the store is expanded, against the
// local S3 server (scripts/s3-server.sh; seeded with scripts/s3-seed.mjs). It prints the
// median (and range) of the runs beside the bundles' sizes, and asserts nothing.
//
// Usage: node bench/activation.mjs [--runs N] [--dist DIR]...
//   It measures the production bundle of this working tree, built into a temporary folder,
//   and each --dist DIR beside it (DIR/extension.js and DIR/vendor/*.js: an older build,
//   say), in alternation, so that load on the machine hits them alike.
// Env: LOGQS_S3_ENDPOINT (default http://127.0.0.1:7480), LOGQS_S3_ACCESS_KEY / LOGQS_S3_SECRET_KEY.
import * as esbuild from "esbuild";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildOptions } from "../esbuild.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const runs = Number(option("--runs", "9"));
const dists = argv.flatMap((arg, i) => (argv[i - 1] === "--dist" ? [path.resolve(arg)] : []));

const endpoint = process.env.LOGQS_S3_ENDPOINT || "http://127.0.0.1:7480";
const store = {
  endpoint,
  bucket: "logqs-sample",
  keyPrefix: "logs/",
  accessKeyId: process.env.LOGQS_S3_ACCESS_KEY || "TESTACCESSKEY",
  secretAccessKey: process.env.LOGQS_S3_SECRET_KEY || "TESTSECRETKEY123",
};

const work = mkdtempSync(path.join(os.tmpdir(), "logqs-bench-activation-"));
try {
  const thisTree = path.join(work, "dist");
  await Promise.all(buildOptions({ production: true, outdir: thisTree, logLevel: "warning" }).map((options) => esbuild.build(options)));
  dists.unshift(thisTree);
  const probe = path.join(work, "probe.js");
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["test/support/activationProbe.ts"],
    outfile: probe,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });

  // Idempotent: makes the sample bucket if it is missing.
  execFileSync(process.execPath, [path.join(root, "scripts/s3-seed.mjs"), store.bucket], { stdio: "ignore", env: { ...process.env, LOGQS_S3_ENDPOINT: endpoint } });

  const results = new Map(dists.map((dist) => [dist, []]));
  const loadBefore = os.loadavg()[0];
  for (let run = 0; run < runs; run++) {
    for (const dist of dists) {
      // Each build's code caches are kept from run to run, as the editor's global storage keeps them from session to
      // session: the first run writes them (an editor's first session), the next ones read them.
      const cache = path.join(work, `code-cache-${dists.indexOf(dist)}`);
      const { stdout } = await promisify(execFile)(process.execPath, [probe, path.join(dist, "extension.js"), "--store", JSON.stringify(store), "--code-cache", cache], {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      });
      const result = JSON.parse(stdout);
      if (result.messages.length > 0 || !result.firstPage?.includes("logs/readme.txt")) {
        throw new Error(`The first page of ${store.bucket}/${store.keyPrefix} was not listed: ${JSON.stringify(result)}`);
      }
      results.get(dist).push(result);
    }
  }

  const cpus = os.cpus().length;
  console.log(`${runs} fresh processes per build, Node ${process.version}, ${cpus} CPUs, load average ${loadBefore.toFixed(1)} before and ${os.loadavg()[0].toFixed(1)} after`);
  console.log(`first page: ${store.bucket}/${store.keyPrefix} on ${endpoint}, listed through the tree\n`);
  for (const [dist, measured] of results) {
    console.log(`${dist === thisTree ? "this working tree (production build)" : dist}\n  ${sizes(dist)}`);
    const rows = [
      ["require", measured.map((r) => r.requireMs)],
      ["activate", measured.map((r) => r.activateMs)],
      ["require + activate", measured.map((r) => r.requireMs + r.activateMs)],
      ["first page, from the require", measured.map((r) => r.firstPageMs)],
    ];
    for (const [name, values] of rows) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(`  ${name.padEnd(30)} median ${ms(median(sorted))}  (${ms(sorted[0])} to ${ms(sorted.at(-1))})`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function median(sorted) {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function ms(value) {
  return `${value.toFixed(1).padStart(6)} ms`;
}

/** The bundles activation evaluates (the entry, and main.js it loads, in builds that have it), then the ones loaded at first use. */
function sizes(dist) {
  const kib = (file) => `${path.relative(dist, file)} ${(statSync(file).size / 1024).toFixed(0)} KiB`;
  const vendor = path.join(dist, "vendor");
  const vendors = existsSync(vendor) ? readdirSync(vendor).filter((name) => name.endsWith(".js")).map((name) => kib(path.join(vendor, name))) : [];
  const main = ["extension.js", "main.js"].map((name) => path.join(dist, name)).filter((file) => existsSync(file));
  return [...main.map(kib), ...vendors].join(", ");
}
