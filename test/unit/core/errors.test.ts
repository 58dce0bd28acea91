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

  it('calls a failed call on a local path a storage problem, in the system\'s words, and a network error without a path still a bug', () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, write '/work/logs/run.mcap'"), { code: 'ENOSPC', syscall: 'write', path: '/work/logs/run.mcap' });
    const problem = toLogqsError(full);
    assert.equal(problem.code, 'storage');
    assert.match(problem.message, /no space left on device.*run\.mcap/);
    assert.equal(toLogqsError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' })).code, 'bug');
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
