import * as assert from 'node:assert/strict';
import { LogqsError } from '../../../src/core/errors';
import { PrefixSearch, type ScheduleFn } from '../../../src/core/prefixSearch';

interface Page {
  keys: string[];
  nextContinuationToken?: string;
}

/** A clock the test moves by hand: timers run only when it says so. */
class ManualClock {
  private now = 0;
  private timers: { at: number; run: () => void; cancelled: boolean }[] = [];
  readonly schedule: ScheduleFn = (run, ms) => {
    const timer = { at: this.now + ms, run, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };

  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((timer) => !timer.cancelled && timer.at <= this.now);
    this.timers = this.timers.filter((timer) => !due.includes(timer));
    due.forEach((timer) => timer.run());
  }
}

/** A server whose answers the test releases one by one, in any order. */
class ScriptedServer {
  readonly requests: { text: string; token?: string; signal: AbortSignal; answer: (page: Page) => void; fail: (error: unknown) => void }[] = [];
  fetchPage = (text: string, token: string | undefined, signal: AbortSignal) =>
    new Promise<Page>((resolve, reject) => {
      this.requests.push({ text, token, signal, answer: resolve, fail: reject });
    });
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function searchWith(server: ScriptedServer, clock: ManualClock) {
  const delivered: { text: string; keys: string[] }[] = [];
  const errors: string[] = [];
  const busy: boolean[] = [];
  const search = new PrefixSearch<Page>({
    fetchPage: server.fetchPage,
    onResults: (text, pages) => delivered.push({ text, keys: pages.flatMap((page) => page.keys) }),
    onBusy: (state) => busy.push(state),
    onError: (text, error) => errors.push(`${text}: ${(error as Error).message}`),
    delayMs: 200,
    schedule: clock.schedule,
  });
  return { search, delivered, errors, busy };
}

describe('prefix search as the person types', () => {
  let clock: ManualClock;
  let server: ScriptedServer;

  beforeEach(() => {
    clock = new ManualClock();
    server = new ScriptedServer();
  });

  it('waits for a pause in typing, then sends one request for the last text', async () => {
    const { search, delivered } = searchWith(server, clock);
    for (const text of ['r', 'ru', 'run', 'run-']) {
      search.type(text);
      clock.advance(100);
    }
    assert.equal(server.requests.length, 0, 'nothing is sent while the person types');
    clock.advance(100);
    assert.deepEqual(server.requests.map((request) => request.text), ['run-']);
    server.requests[0].answer({ keys: ['run-1/', 'run-2/'] });
    await settle();
    assert.deepEqual(delivered, [{ text: 'run-', keys: ['run-1/', 'run-2/'] }]);
  });

  it('aborts the request of an older text and never delivers its answer, even when it arrives last', async () => {
    const { search, delivered, errors } = searchWith(server, clock);
    search.type('a');
    clock.advance(200);
    search.type('ab');
    assert.equal(server.requests[0].signal.aborted, true, 'the stale request is aborted at the keystroke');
    clock.advance(200);
    server.requests[1].answer({ keys: ['ab1'] });
    await settle();
    // A server that ignores the abort still answers; the answer must be dropped.
    server.requests[0].answer({ keys: ['a-stale'] });
    await settle();
    assert.deepEqual(delivered, [{ text: 'ab', keys: ['ab1'] }]);
    assert.deepEqual(errors, []);
  });

  it('drops the failure of an aborted request, and reports the failure of the current one', async () => {
    const { search, errors } = searchWith(server, clock);
    search.type('a');
    clock.advance(200);
    search.type('b');
    server.requests[0].fail(new LogqsError('cancelled', 'Cancelled'));
    clock.advance(200);
    server.requests[1].fail(new LogqsError('unreachable', 'The endpoint is unreachable'));
    await settle();
    assert.deepEqual(errors, ['b: The endpoint is unreachable']);
  });

  it('pages the current text one page at a time, and starts again at a new text', async () => {
    const { search, delivered } = searchWith(server, clock);
    search.searchNow('');
    assert.equal(server.requests.length, 1, 'the first list is asked for at once');
    server.requests[0].answer({ keys: ['a', 'b'], nextContinuationToken: 't1' });
    await settle();
    search.more();
    search.more();
    assert.equal(server.requests.length, 2, 'one page at a time');
    assert.equal(server.requests[1].token, 't1');
    server.requests[1].answer({ keys: ['c'] });
    await settle();
    search.more();
    assert.equal(server.requests.length, 2, 'no page after the last');
    search.type('x');
    clock.advance(200);
    assert.equal(server.requests[2].token, undefined);
    server.requests[2].answer({ keys: ['x1'] });
    await settle();
    assert.deepEqual(delivered.map((results) => results.keys), [['a', 'b'], ['a', 'b', 'c'], ['x1']]);
  });

  it('ignores a keystroke that leaves the text as it was (the pick setting its own value)', () => {
    const { search } = searchWith(server, clock);
    search.searchNow('run-1/');
    search.type('run-1/');
    clock.advance(500);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].signal.aborted, false);
  });

  it('is busy while a request runs, and stops everything when disposed', async () => {
    const { search, delivered, busy } = searchWith(server, clock);
    search.searchNow('a');
    search.dispose();
    assert.equal(server.requests[0].signal.aborted, true);
    server.requests[0].answer({ keys: ['a1'] });
    search.type('b');
    search.dispose();
    clock.advance(1000);
    await settle();
    assert.equal(server.requests.length, 1);
    assert.deepEqual(delivered, []);
    // Busy from the keystroke on (what is shown answers older text), and not ended by the end of a request it replaced.
    assert.deepEqual(busy, [true, true]);
  });

  it('says whether the results shown answer the text typed, not an older text still shown while the newer one waits', async () => {
    const { search } = searchWith(server, clock);
    search.searchNow('a');
    assert.equal(search.shows('a'), false, 'nothing answered yet');
    server.requests[0].answer({ keys: ['a1'] });
    await settle();
    assert.equal(search.shows('a'), true);
    search.type('ab');
    assert.equal(search.shows('ab'), false, 'typed, not yet searched');
    assert.equal(search.shows('a'), false, 'no longer the text searched');
    clock.advance(1000);
    server.requests[1].answer({ keys: ['ab1'] });
    await settle();
    assert.equal(search.shows('ab'), true);
    search.dispose();
  });
});
