/*
 * ky, the LogQS API's HTTP client. Built into dist/vendor/ky.js and required
 * at the first API request (loaders.ts): evaluating ky probes the runtime's
 * fetch, which costs as much as the rest of start-up.
 */
export { default as ky, HTTPError, TimeoutError } from 'ky';
export type { KyInstance } from 'ky';
