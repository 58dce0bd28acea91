// Lists one large prefix page by page, through the extension's ObjectBrowser (what expanding a
// folder and pressing "Load more…" does) and through the AWS CLI as a peer, against the same
// bucket on the local Ceph radosgw. Prints keys per second, time to the first page and memory.
// Usage: bash bench/run.sh [keys]   (default 20000)
import { execFileSync, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import browserModule from "../out/src/core/objectBrowser.js";
import clientModule from "../out/src/adapters/s3/s3Client.js";
import gatewayModule from "../out/src/adapters/s3/s3Gateway.js";
import ports from "../out/test/support/memoryPorts.js";
import server from "../out/test/support/s3Server.js";

const KEYS = Number(process.argv[2] ?? 20_000);
const BUCKET = "logqs-bench";
const PREFIX = "bench/flat/";
const PAGE = 1000;
const ROUNDS = 3;
const s3 = server.adminClient();

async function seed() {
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((error) => {
    if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
  });
  const present = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, StartAfter: `${PREFIX}${key(KEYS - 1)}` }));
  const last = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}${key(KEYS - 1)}` }));
  if ((last.KeyCount ?? 0) === 1 && (present.KeyCount ?? 0) === 0) return;
  console.log(`seeding ${KEYS} keys under ${PREFIX} …`);
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < KEYS) {
      const i = next++;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${key(i)}`, Body: "x" }));
    }
  }));
}

function key(i) {
  return `recording ${String(i).padStart(7, "0")} é.mcap`;
}

async function ours() {
  const clients = new clientModule.S3ClientCache(() => ({ timeoutMs: 15_000 }));
  const registry = ports.memorySource({ gateways: gatewayModule.s3Gateways(clients) }).source;
  const store = await registry.create({
    name: "bench", bucket_name: BUCKET, region_name: "us-east-1", access_key_id: server.S3_ACCESS_KEY,
    secret_access_key: server.S3_SECRET_KEY, endpoint_url: server.S3_ENDPOINT, key_prefix: "bench/",
  });
  const start = performance.now();
  let firstPageMs;
  let count = 0;
  let token;
  do {
    const page = await browserModule.browsePage(registry, store.id, { folderPrefix: PREFIX, pageSize: PAGE, continuationToken: token });
    firstPageMs ??= performance.now() - start;
    count += page.objects.length;
    token = page.nextContinuationToken;
  } while (token);
  const ms = performance.now() - start;
  clients.dispose();
  return { count, ms, firstPageMs };
}

/** Runs a command, returning its output, wall time (process start included) and peak RSS. */
function timed(command, args, env = process.env) {
  const start = performance.now();
  const result = spawnSync("/usr/bin/time", ["-f", "%M", command, ...args], { env, encoding: "utf8" });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  const peakKb = Number(result.stderr.trim().split("\n").pop());
  return { stdout: result.stdout, ms, peakMb: peakKb / 1000 };
}

function peer() {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: server.S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: server.S3_SECRET_KEY,
    AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  const run = timed("aws", ["s3api", "list-objects-v2", "--endpoint-url", server.S3_ENDPOINT, "--bucket", BUCKET, "--prefix", PREFIX,
    "--delimiter", "/", "--page-size", String(PAGE), "--query", "length(Contents)", "--output", "text"], env);
  // The CLI applies --query to each page it fetches: one count per line.
  const count = run.stdout.trim().split(/\s+/).reduce((sum, n) => sum + Number(n), 0);
  return { count, ms: run.ms, peakMb: run.peakMb };
}

/** The extension's listing in a process of its own, so time and memory compare with the CLI's. */
function oursInChild() {
  const run = timed(process.execPath, [new URL(import.meta.url).pathname, String(KEYS), "--child"]);
  const inner = JSON.parse(run.stdout.trim().split("\n").pop());
  return { ...inner, wallMs: run.ms, peakMb: run.peakMb };
}

if (process.argv.includes("--child")) {
  console.log(JSON.stringify(await ours()));
  process.exit(0);
}

await seed();
const version = execFileSync("aws", ["--version"], { encoding: "utf8" }).trim();
const rows = [];
for (let round = 1; round <= ROUNDS; round++) {
  const a = oursInChild();
  const b = peer();
  if (a.count !== KEYS || b.count !== KEYS) throw new Error(`expected ${KEYS} keys, listed ${a.count} (ours) and ${b.count} (aws)`);
  rows.push({
    round,
    ours_wall_ms: Math.round(a.wallMs), aws_wall_ms: Math.round(b.ms),
    ours_listing_ms: Math.round(a.ms), ours_first_page_ms: Math.round(a.firstPageMs),
    ours_peak_rss_mb: Math.round(a.peakMb), aws_peak_rss_mb: Math.round(b.peakMb),
  });
}
console.table(rows);
const median = (field) => rows.map((row) => row[field]).sort((x, y) => x - y)[Math.floor(rows.length / 2)];
console.log(`listing ${KEYS} keys in pages of ${PAGE}, median of ${ROUNDS} rounds; peer: ${version}`);
console.log(`  extension (own process): ${median("ours_wall_ms")} ms wall, of which listing ${median("ours_listing_ms")} ms (${Math.round(KEYS / (median("ours_listing_ms") / 1000))} keys/s), first page after ${median("ours_first_page_ms")} ms, peak RSS ${median("ours_peak_rss_mb")} MB`);
console.log(`  aws s3api list-objects-v2: ${median("aws_wall_ms")} ms wall, peak RSS ${median("aws_peak_rss_mb")} MB`);
console.log(`  ratio extension/aws, wall time: ${(median("ours_wall_ms") / median("aws_wall_ms")).toFixed(2)}; peak memory: ${(median("ours_peak_rss_mb") / median("aws_peak_rss_mb")).toFixed(2)}`);
s3.destroy();
