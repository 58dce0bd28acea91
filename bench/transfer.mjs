// Benchmark: transfers through the extension's engine vs awscli, rclone, aria2 and curl, side by
// side on the same local Ceph radosgw. Prints seconds, MiB/s, peak RSS and the ratio to the
// fastest peer for each row; asserts nothing. Usage: npm run bench:transfer [-- rounds] [--sweep] [--only <row>]
// --sweep times the engine alone over part sizes and concurrencies instead, to choose the defaults.
// A first row, not a target, times a 1-byte download: each tool's start-up, beside the engine's Node started alone.
import { execFileSync, spawnSync } from "node:child_process";
import * as esbuild from "esbuild";
import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import server from "../out/test/support/s3Server.js";
import { buildOptions } from "../esbuild.mjs";
import { AWS, BIG, ENV, WORK, aws, bigFile as makeBigFile, presignedGet, processCpu } from "./peers.mjs";

const SWEEP = process.argv.includes("--sweep");
/** `--only <text>`: only the rows whose name holds it (say "1 GiB object"). */
const ONLY = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] ?? "" : undefined;
const ROUNDS = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg) && arg !== ONLY) ?? 2);
const BUCKET = `logqs-bench-${Date.now().toString(36)}`;
const SMALL = 64 * 1024;
const SMALL_COUNT = 2000;
const WARMED_UP = "this engine, warmed up";
const ON_THIS_NODE = `this engine, Node ${process.versions.node.split(".")[0]}`;
/** The Node that runs the extension host of the editor here (code-server's); bench/transfer.sh finds it. */
const EDITOR_NODE = process.env.LOGQS_BENCH_EDITOR_NODE || process.execPath;

/** Runs a command under /usr/bin/time: wall seconds (process start included) and peak RSS (MB). */
function timed(argv, env = {}) {
  const result = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { env: { ...ENV, ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const [seconds, peakKb] = result.stderr.trim().split("\n").pop().split(" ").map(Number);
  if (result.status !== 0) throw new Error(`${argv[0]} failed (${result.status}): ${result.stderr.slice(-500)}`);
  // The engine also says how long it took once loaded (as it is, loaded, in the editor).
  const own = /"seconds":([\d.]+)/.exec(result.stdout)?.[1];
  return { seconds, peakMb: peakKb / 1024, ownSeconds: own === undefined ? undefined : Number(own) };
}

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The local server's processes, radosgw and its OSD (none for a server elsewhere): their CPU says when it is idle. */
const SERVER_PIDS = ["radosgw", "ceph-osd"].flatMap((name) =>
  (spawnSync("pgrep", ["-x", name], { encoding: "utf8" }).stdout ?? "").split("\n").filter(Boolean).map(Number));

/** CPU ticks (1/100 s) the server's processes have used. */
function serverTicks() {
  let ticks = 0;
  for (const pid of SERVER_PIDS) {
    // A process gone counts nothing.
    ticks += processCpu(pid)?.ticks ?? 0;
  }
  return ticks;
}

/**
 * Waits (30 s at most) until the server uses under a twentieth of a core: after deleting thousands of objects
 * its OSD goes on working for seconds, at up to a core, which the next run would share.
 */
function serverIdle() {
  const deadline = Date.now() + 30_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (SERVER_PIDS.length > 0 && Date.now() < deadline) {
    const before = serverTicks();
    Atomics.wait(nap, 0, 0, 400);
    if (serverTicks() - before <= 2) return;
  }
}

let outputs = 0;
/**
 * A new, empty folder for one download. A folder row's outputs stay until the row ends: on ext4
 * without a journal (this machine's disk), each file created within a minute of thousands being
 * deleted skips over their inodes, which cost every tool 1.0 to 1.4 s of CPU in that row (perf).
 */
function downloadFolder(out) {
  return fresh(path.join(out, String(++outputs)));
}

async function main() {
  const bigFile = makeBigFile();
  const smallDir = path.join(WORK, "small");
  if (!existsSync(path.join(smallDir, `f${SMALL_COUNT - 1}.bin`))) {
    fresh(smallDir);
    for (let i = 0; i < SMALL_COUNT; i++) writeFileSync(path.join(smallDir, `f${i}.bin`), randomBytes(SMALL));
  }
  aws("s3", "mb", `s3://${BUCKET}`);
  // Seeded once with the AWS CLI (multipart, as any tool uploads 1 GiB).
  aws("s3", "cp", bigFile, `s3://${BUCKET}/big/big.bin`, "--quiet");
  aws("s3", "cp", "--recursive", smallDir, `s3://${BUCKET}/small/`, "--quiet");
  const url = await presignedGet(BUCKET, "big/big.bin");
  // One byte: its download is all start-up (the process, the request), the fixed cost in each row above it.
  const oneByte = path.join(WORK, "one-byte.bin");
  writeFileSync(oneByte, "x");
  aws("s3", "cp", oneByte, `s3://${BUCKET}/tiny/one-byte.bin`, "--quiet");
  const tinyUrl = await presignedGet(BUCKET, "tiny/one-byte.bin");
  const out = path.join(WORK, "out");
  // The engine is built as the extension is (esbuild.mjs, production): CommonJS, minified, the AWS SDK in
  // its own bundle required at the first request, the worker threads' files beside it.
  const engineDir = path.join(WORK, "engine");
  const [extension, ...others] = buildOptions({ production: true, outdir: engineDir, logLevel: "warning" });
  // An entry and the engine it loads with V8's code cache, as dist/extension.js and dist/main.js.
  await esbuild.build({
    ...extension,
    entryPoints: [
      { in: "bench/transfer-engine-entry.mjs", out: "transfer-engine" },
      { in: "bench/transfer-engine.mjs", out: "transfer-engine-main" },
    ],
  });
  await Promise.all(others.map((options) => esbuild.build(options)));
  // The engine's code caches (see bench/transfer-engine.mjs) start empty, as in the editor's first session: the first
  // run writes them, the next ones read them.
  for (const entry of readdirSync(engineDir)) if (entry.startsWith("code-cache-")) rmSync(path.join(engineDir, entry), { recursive: true, force: true });
  const bundle = path.join(engineDir, "transfer-engine.js");
  // It runs on the Node of the editor's extension host (code-server's, see bench/transfer.sh), and also on this
  // one, when they differ.
  const engineOn = (node) => (...args) => [node, bundle, ...args];
  const engine = engineOn(EDITOR_NODE);
  const thisNode = EDITOR_NODE === process.execPath ? undefined : engineOn(process.execPath);
  // The engine again, timed on its second job in one process: in the editor the extension host stays
  // up, so after its first transfers the engine's code is compiled and optimised already.
  // Its figure is the second job's own time; its peak memory is the process's, over both jobs.
  const warmedUp = (...args) => {
    const result = timed(engine(...args), { LOGQS_BENCH_WARM_UP: "1" });
    return { ...result, seconds: result.ownSeconds, ownSeconds: undefined };
  };
  /** The engine's entries of a row: `job` gives its arguments, anew for each run. */
  const engineRuns = (job) => ({
    "this engine": () => timed(engine(...job())),
    [WARMED_UP]: () => warmedUp(...job()),
    ...(thisNode && { [ON_THIS_NODE]: () => timed(thisNode(...job())) }),
  });
  if (SWEEP) return sweep(engine, bigFile, smallDir, out);
  const editorNode = execFileSync(EDITOR_NODE, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "");

  const rows = [
    // What a fresh process pays before its first byte; the Node the engine runs on, started with nothing to do, is
    // the least any Node program pays (not a peer, so not in the ratio).
    { name: "start-up: download a 1-byte object (what each row pays before its first byte; not a target)", bytes: 1, floor: { [`Node ${editorNode.split(".")[0]} alone, -e 0`]: () => timed([EDITOR_NODE, "-e", "0"]) }, runs: {
      ...engineRuns(() => ["download-key", BUCKET, "tiny/one-byte.bin", downloadFolder(out)]),
      "aws s3 cp": () => timed([...AWS, "s3", "cp", `s3://${BUCKET}/tiny/one-byte.bin`, `${downloadFolder(out)}/`, "--quiet"]),
      "rclone copy": () => timed(["rclone", "copy", `bench:${BUCKET}/tiny/one-byte.bin`, downloadFolder(out)]),
      "curl (presigned)": () => timed(["curl", "-sS", "-o", path.join(downloadFolder(out), "one-byte.bin"), tinyUrl]),
    } },
    { name: "download 1 GiB object", bytes: BIG, runs: {
      ...engineRuns(() => ["download-key", BUCKET, "big/big.bin", downloadFolder(out)]),
      "aws s3 cp": () => timed([...AWS, "s3", "cp", `s3://${BUCKET}/big/big.bin`, `${downloadFolder(out)}/`, "--quiet"]),
      "rclone copy": () => timed(["rclone", "copy", `bench:${BUCKET}/big/big.bin`, downloadFolder(out)]),
      "aria2c -x16 -s16": () => timed(["aria2c", "-q", "-x", "16", "-s", "16", "--file-allocation=none", "-d", downloadFolder(out), "-o", "big.bin", url]),
      "curl (presigned)": () => timed(["curl", "-sS", "-o", path.join(downloadFolder(out), "big.bin"), url]),
    } },
    { name: `download folder of ${SMALL_COUNT} × 64 KiB`, bytes: SMALL * SMALL_COUNT, keepOutputs: true, runs: {
      ...engineRuns(() => ["download-prefix", BUCKET, "small/", downloadFolder(out)]),
      "aws s3 cp --recursive": () => timed([...AWS, "s3", "cp", "--recursive", `s3://${BUCKET}/small/`, downloadFolder(out), "--quiet"]),
      "rclone copy": () => timed(["rclone", "copy", `bench:${BUCKET}/small/`, downloadFolder(out)]),
    } },
    { name: "upload 1 GiB file", bytes: BIG, uploads: true, runs: {
      ...engineRuns(() => ["upload", BUCKET, bigFile, "up/engine/"]),
      "aws s3 cp": () => timed([...AWS, "s3", "cp", bigFile, `s3://${BUCKET}/up/aws/big.bin`, "--quiet"]),
      "rclone copy": () => timed(["rclone", "copy", bigFile, `bench:${BUCKET}/up/rclone/`]),
    } },
    { name: `upload folder of ${SMALL_COUNT} × 64 KiB`, bytes: SMALL * SMALL_COUNT, uploads: true, runs: {
      ...engineRuns(() => ["upload", BUCKET, smallDir, "up/engine/"]),
      "aws s3 cp --recursive": () => timed([...AWS, "s3", "cp", "--recursive", smallDir, `s3://${BUCKET}/up/aws/`, "--quiet"]),
      "rclone copy": () => timed(["rclone", "copy", smallDir, `bench:${BUCKET}/up/rclone/`]),
    } },
  ];

  console.log(`best of ${ROUNDS} rounds; ${server.S3_ENDPOINT}; the engine on Node ${editorNode}; ${new Date().toISOString()}\n`);
  for (const row of rows) {
    if (ONLY !== undefined && !row.name.includes(ONLY)) continue;
    const best = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [tool, run] of Object.entries({ ...row.runs, ...row.floor })) {
        // The last run's dirty pages are written out before this one starts, not during it, and the server has
        // finished what the last run left it (deleting its uploads).
        execFileSync("sync");
        serverIdle();
        const result = run();
        if (!row.keepOutputs) rmSync(out, { recursive: true, force: true });
        // Each run's uploads go (the engine's warm-up job's too): the server keeps objects in memory, and the runs
        // of the last rows were slower, every tool's, with those of the earlier runs still there (its OSD at 12 GB).
        if (row.uploads) {
          aws("s3", "rm", "--recursive", `s3://${BUCKET}/up/`);
          aws("s3", "rm", "--recursive", `s3://${BUCKET}/warm-up-up/`);
          // A large object's data is freed by radosgw's garbage collector 5 to 35 s after its delete, maybe during
          // the next run. Not forced (radosgw-admin gc process --include-all): run beside radosgw's own collector,
          // it left the memory store's OSD in its "full" failsafe, which blocks every write until a restart.
        }
        if (!best[tool] || result.seconds < best[tool].seconds) best[tool] = { ...result, peakMb: Math.max(result.peakMb, best[tool]?.peakMb ?? 0) };
        else best[tool].peakMb = Math.max(best[tool].peakMb, result.peakMb);
      }
    }
    rmSync(out, { recursive: true, force: true });
    const peers = Object.entries(best).filter(([tool]) => tool in row.runs && !tool.startsWith("this engine"));
    const fastest = Math.min(...peers.map(([, result]) => result.seconds));
    console.log(row.name);
    for (const [tool, result] of Object.entries(best)) {
      // A rate says nothing of one byte.
      const rate = row.bytes < 1024 * 1024 ? "           " : `${(row.bytes / 1024 / 1024 / result.seconds).toFixed(0).padStart(5)} MiB/s`;
      const own = result.ownSeconds === undefined ? "" : `  (${result.ownSeconds.toFixed(2)} s once loaded, ratio ${(result.ownSeconds / fastest).toFixed(2)})`;
      console.log(`  ${tool.padEnd(24)} ${result.seconds.toFixed(2).padStart(6)} s  ${rate}  ${result.peakMb.toFixed(0).padStart(5)} MB peak  ratio ${(result.seconds / fastest).toFixed(2)}${own}`);
    }
    console.log("");
  }
}

/** The engine alone under each setting: the best of ROUNDS runs, and its peak memory. */
async function sweep(engine, bigFile, smallDir, out) {
  const best = (run) => {
    let result;
    for (let round = 0; round < ROUNDS; round++) {
      const next = run();
      if (!result || next.seconds < result.seconds) result = { ...next, peakMb: Math.max(next.peakMb, result?.peakMb ?? 0) };
    }
    return `${result.seconds.toFixed(2).padStart(6)} s ${result.peakMb.toFixed(0).padStart(5)} MB`;
  };
  console.log(`engine sweep, best of ${ROUNDS}; ${server.S3_ENDPOINT}; ${new Date().toISOString()}\n`);
  for (const partMib of [8, 16, 32, 64]) {
    for (const parts of [1, 2, 4, 8]) {
      // The server is on this machine: downloads take the loopback setting, uploads the other.
      const env = { LOGQS_PART_MIB: String(partMib), LOGQS_PART_CONCURRENCY: String(parts), LOGQS_LOOPBACK_PART_CONCURRENCY: String(parts) };
      const down = best(() => timed(engine("download-key", BUCKET, "big/big.bin", fresh(out)), env));
      const up = best(() => timed(engine("upload", BUCKET, bigFile, "sweep/"), env));
      console.log(`  part ${String(partMib).padStart(2)} MiB × ${parts}: 1 GiB down ${down}   up ${up}`);
    }
  }
  for (const files of [4, 8, 16, 32]) {
    const env = { LOGQS_FILE_CONCURRENCY: String(files) };
    const down = best(() => timed(engine("download-prefix", BUCKET, "small/", downloadFolder(out)), env));
    const up = best(() => timed(engine("upload", BUCKET, smallDir, "sweep-files/"), env));
    console.log(`  ${String(files).padStart(2)} files at once: ${SMALL_COUNT} × 64 KiB down ${down}   up ${up}`);
  }
}

try {
  await main();
} finally {
  // The server keeps objects in memory: leave nothing behind, whatever happened.
  rmSync(path.join(WORK, "out"), { recursive: true, force: true });
  await server.deleteBucket(BUCKET).catch(() => undefined);
}
