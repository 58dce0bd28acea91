#!/usr/bin/env node
// scripts/s3-seed.mjs — seed the test S3 server (scripts/s3-server.sh) with sample objects.
//
// Usage: node scripts/s3-seed.mjs [bucket]          (bucket defaults to logqs-sample)
// Env:   LOGQS_S3_ENDPOINT (default http://127.0.0.1:7480)
//        LOGQS_S3_ACCESS_KEY / LOGQS_S3_SECRET_KEY (defaults TESTACCESSKEY / TESTSECRETKEY123)
//
// Idempotent: creates the bucket only if missing and uploads an object only if it is absent
// or its size differs. Bodies are deterministic, so ETags are stable across runs.
import {
  S3Client,
  HeadBucketCommand,
  CreateBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";

const endpoint = process.env.LOGQS_S3_ENDPOINT || "http://127.0.0.1:7480";
const bucket = process.argv[2] || "logqs-sample";
const s3 = new S3Client({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: {
    accessKeyId: process.env.LOGQS_S3_ACCESS_KEY || "TESTACCESSKEY",
    secretAccessKey: process.env.LOGQS_S3_SECRET_KEY || "TESTSECRETKEY123",
  },
});

/** Deterministic pseudo-random bytes (sha256 counter stream) after a format header. */
function body(key, size, header = "") {
  const out = Buffer.alloc(size);
  const head = Buffer.from(header, "binary");
  head.copy(out, 0, 0, Math.min(head.length, size));
  let off = head.length;
  for (let i = 0; off < size; i++) {
    const block = createHash("sha256").update(`${key}#${i}`).digest();
    off += block.copy(out, off, 0, Math.min(block.length, size - off));
  }
  return out;
}

const BAG = "#ROSBAG V2.0\n";
const MCAP = "\x89MCAP0\r\n";
const text = (s) => Buffer.from(s, "utf8");
const longName = `${"very-long-log-file-name-".repeat(8)}${"x".repeat(200 - 24 * 8 - 4)}.bag`; // 200 chars

/** @type {{ key: string, body: Buffer, contentType: string }[]} */
const objects = [
  { key: "logs/run-001/robot.bag", body: body("robot", 4096, BAG), contentType: "application/octet-stream" },
  { key: "logs/run-001/camera.mcap", body: body("camera", 8192, MCAP), contentType: "application/octet-stream" },
  { key: "logs/run-002/lidar.mcap", body: body("lidar", 1024 * 1024, MCAP), contentType: "application/octet-stream" },
  { key: "logs/readme.txt", body: text("Sample logs for LogQS object store tests.\n".repeat(50)), contentType: "text/plain; charset=utf-8" },
  { key: "logs/with space + plus é.bag", body: body("space", 2048, BAG), contentType: "application/octet-stream" },
  { key: "logs/日本語/データ.mcap", body: body("nihongo", 3072, MCAP), contentType: "application/octet-stream" },
  { key: `logs/${longName}`, body: body("long", 1024, BAG), contentType: "application/octet-stream" },
  { key: "other/secret.bag", body: body("secret", 2048, BAG), contentType: "application/octet-stream" },
  { key: "top-level.txt", body: text("top level object outside logs/\n"), contentType: "text/plain; charset=utf-8" },
];

const isNotFound = (e) =>
  e?.name === "NotFound" || e?.name === "NoSuchBucket" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;

async function ensureBucket() {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    console.log(`bucket ${bucket}: exists`);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      console.log(`bucket ${bucket}: created`);
    } catch (e2) {
      if (e2?.name !== "BucketAlreadyOwnedByYou") throw e2;
      console.log(`bucket ${bucket}: exists`);
    }
  }
}

async function ensureObject({ key, body: data, contentType }) {
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (h.ContentLength === data.length) {
      console.log(`  exists   ${key} (${data.length} B)`);
      return;
    }
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentType: contentType }));
  console.log(`  uploaded ${key} (${data.length} B)`);
}

try {
  console.log(`seeding ${endpoint} (path style)`);
  await ensureBucket();
  for (const o of objects) await ensureObject(o);
  console.log(`done: s3://${bucket} has ${objects.length} sample objects`);
} catch (e) {
  console.error(`s3-seed failed: ${e?.name || ""} ${e?.Code || e?.code || ""} ${e?.message || e}`);
  process.exit(1);
}
