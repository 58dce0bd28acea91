// What the transfer benchmarks share: the peer tools' environment for the local S3 server, its bucket
// made and seeded with the AWS CLI, the 1 GiB file, a presigned URL for curl and aria2, and a process's CPU.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import server from "../out/test/support/s3Server.js";

export const WORK = process.env.LOGQS_BENCH_DIR ?? "/tmp/logqs-bench";
export const BIG = 1024 * 1024 * 1024;

/** The environment of the peer tools: the AWS CLI's credentials and rclone's remote "bench", on the local server. */
export const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: server.S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: server.S3_SECRET_KEY, AWS_DEFAULT_REGION: "us-east-1",
  AWS_PAGER: "", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  RCLONE_CONFIG_BENCH_TYPE: "s3", RCLONE_CONFIG_BENCH_PROVIDER: "Ceph", RCLONE_CONFIG_BENCH_ENDPOINT: server.S3_ENDPOINT,
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: server.S3_ACCESS_KEY, RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: server.S3_SECRET_KEY,
  RCLONE_CONFIG_BENCH_REGION: "us-east-1",
};
// A CA bundle from the environment is for TLS elsewhere; rclone's SDK refuses it on a plain-HTTP endpoint.
delete ENV.AWS_CA_BUNDLE;

/** The AWS CLI on the local server. */
export const AWS = ["/usr/bin/aws", "--endpoint-url", server.S3_ENDPOINT];

/** Runs the AWS CLI with `args`, quietly. */
export function aws(...args) {
  execFileSync(AWS[0], [...AWS.slice(1), ...args], { env: ENV, stdio: "ignore" });
}

/** The 1 GiB file of random bytes in WORK, made once. */
export function bigFile() {
  mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, "big.bin");
  if (!existsSync(file)) execFileSync("bash", ["-c", `head -c ${BIG} /dev/urandom > ${file}`]);
  return file;
}

/** A presigned GET of `key`, valid for an hour. */
export async function presignedGet(bucket, key) {
  const s3 = server.adminClient();
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 3600 });
  s3.destroy();
  return url;
}

/** A process's name and the CPU it has used so far (user and system, in ticks of 1/100 s); undefined once it is gone. */
export function processCpu(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The name is between the first "(" and the last ")" (it may hold either); after it, utime and stime are the 12th and 13th fields.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), ticks: Number(fields[11]) + Number(fields[12]) };
}
