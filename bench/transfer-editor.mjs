// Benchmark: the 1 GiB download as a person makes it in the editor, beside curl on a presigned URL.
// The packaged extension runs in code-server (test/e2e/harness.mjs) against the local Ceph radosgw;
// Chromium right-clicks the object in the tree, chooses Download…, and picks the workspace folder.
// Timed from that last Enter to the file in place under its own name (the engine renames it there only
// once complete), so the click's way to the extension host, the command, the progress notification and
// the editor's file watcher all count; and, from the LogQS log's own timestamps, the job alone. curl
// runs from its start to its exit, interleaved with the editor's runs. Prints every run, the best of
// each, the ratios, and the CPU each process took during the editor's best run; asserts nothing.
// Usage: npm run bench:transfer-editor [-- rounds]
// LOGQS_BENCH_SETTINGS='{"files.watcherExclude": …}' starts the editor with those settings too;
// LOGQS_BENCH_CURL_IN_WORKSPACE=1 has curl write into the workspace, as from the editor's terminal.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import server from "../out/test/support/s3Server.js";
import { REPO_ROOT, startEditor, waitFor } from "../test/e2e/harness.mjs";
import { BIG, WORK, aws, bigFile as makeBigFile, presignedGet, processCpu } from "./peers.mjs";

const ROUNDS = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 3);
const BUCKET = `logqs-bench-editor-${Date.now().toString(36)}`;
const VSIX = path.join(REPO_ROOT, "dist", "logqs-object-stores.vsix");

/** curl on a presigned URL into `file`: seconds from its start to its exit. */
function curl(url, file) {
  const started = performance.now();
  const result = spawnSync("curl", ["-sS", "-o", file, url], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`curl failed (${result.status}): ${result.stderr}`);
  return (performance.now() - started) / 1000;
}

/**
 * CPU seconds used so far by each process (and its threads) on the machine, by pid, with its name. Read again when the
 * file is in place: what the editor does after (the rename's events, the message) is not counted.
 */
function cpuByProcess() {
  const ticks = new Map();
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cpu = processCpu(pid);
      if (!cpu) continue;
      // Split at spaces too: Chromium's forked processes rewrite theirs as one string.
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/).filter(Boolean);
      const type = args.find((arg) => arg.startsWith("--type="));
      const cmd = [...args.slice(0, 3).map((arg) => path.basename(arg)), type ?? ""].join(" ");
      ticks.set(pid, { name: `${cpu.name} [${cmd}]`, seconds: cpu.ticks / 100 });
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/** What a process is, said plainly where it is one of the editor's. */
function label(name) {
  const known = [
    [/bootstrap-fork --type=fileWatcher/, "the editor's file watcher"],
    [/bootstrap-fork.*--type=extensionHost/, "the extension host (the engine, its range thread)"],
    [/\[node entry/, "code-server's server"],
    [/^chromium.*--type=renderer/, "Chromium's renderer (the window)"],
    [/^chromium.*--type=([\w-]+)/, "Chromium ($1)"],
    [/^chromium/, "Chromium's browser process"],
    [/^radosgw/, "the S3 server (radosgw)"],
    [/^ceph-osd/, "the S3 server's store (ceph-osd)"],
    [/transfer-editor\.mjs/, "this benchmark (playwright)"],
  ];
  const [pattern, text] = known.find(([candidate]) => candidate.test(name)) ?? [/.*/, name];
  return name.replace(new RegExp(`^.*${pattern.source}.*$`), text);
}

/** The processes that used the most CPU between two `cpuByProcess` readings. */
function cpuBetween(before, after) {
  return [...after].map(([pid, { name, seconds }]) => ({ pid, name, seconds: seconds - (before.get(pid)?.seconds ?? 0) }))
    .filter((entry) => entry.seconds >= 0.02).sort((a, b) => b.seconds - a.seconds).map((entry) => ({ ...entry, name: label(entry.name) }));
}

/**
 * The moment `file` exists, looked for every 5 ms: a stat each time costs nothing measurable, where a watch on its
 * folder is woken by every write of the download (thousands of events) on the CPU the download shares.
 */
function appears(file, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    const given = performance.now();
    const timer = setInterval(() => {
      if (fs.existsSync(file)) {
        clearInterval(timer);
        resolve(performance.now());
      } else if (performance.now() - given > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`${file} did not appear in ${timeoutMs / 1000} s (see the LogQS log in the editor's logs)`));
      }
    }, 5);
  });
}

/** The LogQS output channel's file in the editor's logs (a log channel writes one, with millisecond timestamps). */
function logqsLog(userDataDir) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith("LogQS.log")) found.push(full);
    }
  };
  walk(path.join(userDataDir, "logs"));
  return found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** Seconds between the job's first line ("Download from …") and its "Downloaded …" line, in the log's text after `from`. */
function jobSeconds(text) {
  const stamp = (pattern) => {
    const line = text.split("\n").find((candidate) => pattern.test(candidate));
    const match = line && /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})/.exec(line);
    if (!match) throw new Error(`no log line matching ${pattern} in:\n${text}`);
    return Date.parse(match[1].replace(" ", "T"));
  };
  return (stamp(/\] Downloaded "/) - stamp(/\] Download from "/)) / 1000;
}

async function main() {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run npm run package first`);
  const bigFile = makeBigFile();
  aws("s3", "mb", `s3://${BUCKET}`);
  aws("s3", "cp", bigFile, `s3://${BUCKET}/big/big.bin`, "--quiet");
  const url = await presignedGet(BUCKET, "big/big.bin");

  const root = fs.mkdtempSync(path.join(WORK, "editor-"));
  const workspace = path.join(root, "workspace");
  fs.mkdirSync(workspace);
  const managed = path.join(root, "managed.json");
  fs.writeFileSync(managed, JSON.stringify({ objectStores: [{
    name: "bench", bucket_name: BUCKET, region_name: "us-east-1", access_key_id: server.S3_ACCESS_KEY,
    secret_access_key: server.S3_SECRET_KEY, endpoint_url: server.S3_ENDPOINT, key_prefix: "big/",
  }] }));
  // curl writes outside the workspace (as its own best), or, with LOGQS_BENCH_CURL_IN_WORKSPACE=1, into it, as from the
  // editor's terminal: the editor then handles a file event for each of its writes too.
  const curlFolder = process.env.LOGQS_BENCH_CURL_IN_WORKSPACE ? workspace : path.join(root, "curl");
  fs.mkdirSync(curlFolder, { recursive: true });
  const target = path.join(workspace, "big.bin");
  const runs = { curl: [], editor: [], job: [], cpu: [] };
  let editor;
  try {
    editor = await startEditor({ vsix: VSIX, workspace, settings: { "logqs.managedObjectStoresFile": managed, ...JSON.parse(process.env.LOGQS_BENCH_SETTINGS ?? "{}") } });
    await editor.viewContainer("LogQS");
    await editor.expand("bench", { view: "Object Stores", timeoutMs: 30_000 });
    const row = editor.treeItem("big.bin", { view: "Object Stores" });
    await row.waitFor({ state: "visible", timeout: 30_000 });
    for (let round = 0; round < ROUNDS; round++) {
      execFileSync("sync");
      runs.curl.push(curl(url, path.join(curlFolder, "big.bin")));
      fs.rmSync(path.join(curlFolder, "big.bin"));
      execFileSync("sync");
      if (curlFolder === workspace) {
        // What the editor makes of the file events a write of 8 KiB at a time raises ends before the next download.
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }

      // The last download showed its file in the Explorer, which took the side bar.
      await editor.viewContainer("LogQS");
      await editor.contextMenu(row, "Download…");
      const input = editor.quickInput().locator("input.input").first();
      const first = editor.quickInput().locator(".quick-input-list [role=option]").first();
      await input.waitFor({ state: "visible", timeout: 15_000 });
      await input.fill("workspace");
      await waitFor(async () => /workspace/.test((await first.getAttribute("aria-label").catch(() => "")) ?? ""), { what: "the workspace folder offered" });
      // As a person reads the list before choosing: what drawing it took is over before the clock starts.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const log = logqsLog(editor.userDataDir);
      const logBefore = log ? fs.readFileSync(log, "utf8").length : 0;
      const arrived = appears(target);
      const cpuBefore = cpuByProcess();
      const started = performance.now();
      await editor.page.keyboard.press("Enter");
      runs.editor.push(((await arrived) - started) / 1000);
      runs.cpu.push(cpuBetween(cpuBefore, cpuByProcess()));
      // The job logged its start before the file was in place: its log file is there, looked for once.
      const logFile = logqsLog(editor.userDataDir);
      const logged = await waitFor(() => {
        const text = fs.readFileSync(logFile, "utf8").slice(logBefore);
        return /\] Downloaded "/.test(text) && text;
      }, { what: "the download in the LogQS log" });
      runs.job.push(jobSeconds(logged));
      if (fs.statSync(target).size !== BIG) throw new Error(`the download is ${fs.statSync(target).size} bytes`);
      fs.rmSync(target);
      console.error(`round ${round + 1}: curl ${runs.curl.at(-1).toFixed(2)} s, editor ${runs.editor.at(-1).toFixed(2)} s (job ${runs.job.at(-1).toFixed(2)} s)`);
    }
  } finally {
    await editor?.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
  const best = (values) => Math.min(...values);
  const show = (values) => values.map((seconds) => seconds.toFixed(2)).join(", ");
  const fastest = best(runs.curl);
  const curlWhere = curlFolder === workspace ? "into the workspace" : "outside the workspace";
  console.log(`1 GiB download, ${ROUNDS} rounds; ${server.S3_ENDPOINT}; ${os.cpus().length} CPUs; ${new Date().toISOString()}`);
  console.log(`  curl (presigned), ${curlWhere}, start to exit   best ${fastest.toFixed(2)} s  (${show(runs.curl)})`);
  console.log(`  in the editor, Enter to file in place      best ${best(runs.editor).toFixed(2)} s  (${show(runs.editor)})  ratio ${(best(runs.editor) / fastest).toFixed(2)}`);
  console.log(`  in the editor, the job (LogQS log)         best ${best(runs.job).toFixed(2)} s  (${show(runs.job)})  ratio ${(best(runs.job) / fastest).toFixed(2)}`);
  console.log(`  the session's first download: ratio ${(runs.editor[0] / fastest).toFixed(2)}`);
  const bestRun = runs.editor.indexOf(best(runs.editor));
  console.log(`  CPU-seconds by process during the editor's best run:`);
  for (const { name, seconds } of runs.cpu[bestRun].filter((entry) => entry.seconds >= 0.05)) console.log(`    ${seconds.toFixed(2).padStart(5)}  ${name}`);
}

try {
  await main();
} finally {
  await server.deleteBucket(BUCKET).catch(() => undefined);
}
