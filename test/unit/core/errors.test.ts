import * as assert from 'node:assert/strict';
import { LogqsError, causeChain, reportFor, toLogqsError } from '../../../src/core/errors';

describe('errors', () => {
  it('calls an unmapped error a bug, keeping the details for the log only', () => {
    const bug = toLogqsError(new TypeError("Cannot read properties of undefined (reading 'name')"));
    assert.equal(bug.code, 'bug');
    assert.match(bug.message, /a bug in the extension/);
    assert.doesNotMatch(bug.message, /Cannot read/);
    assert.match(bug.detail ?? '', /TypeError Cannot read properties/);
  });

  it('keeps LogqsErrors and turns aborts into cancellations', () => {
    const known = new LogqsError('forbidden', 'no');
    assert.equal(toLogqsError(known), known);
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    assert.equal(toLogqsError(abort).code, 'cancelled');
  });

  it('walks causes and the first of an AggregateError, to a bounded depth', () => {
    const root = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    const chain = [...causeChain(new Error('top', { cause: new AggregateError([root, new Error('other')], 'all failed') }))];
    assert.deepEqual(chain.map((error) => (error as Error).message), ['top', 'all failed', 'connect']);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    assert.equal([...causeChain(loop)].length, 6);
  });

  it('redacts the notification as well as the log line, and says nothing of a cancel', () => {
    const leaky = new LogqsError('remote', 'server said secret_access_key=LEAKED1', { detail: 'x-amz-security-token: LEAKED2' });
    const report = reportFor('Couldn\'t list', leaky);
    assert.equal(report.notification, 'Couldn\'t list: server said secret_access_key=<redacted>');
    assert.ok(!report.logLine.includes('LEAKED1') && !report.logLine.includes('LEAKED2'), report.logLine);
    assert.match(report.logLine, /^Couldn't list: \[remote\]/);
    assert.equal(reportFor('Download', new LogqsError('cancelled', 'Cancelled')).notification, undefined);
  });
});
