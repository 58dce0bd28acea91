import * as assert from 'node:assert/strict';
import { parseJsonOrThrow, parseJsonText } from '../../../src/core/jsonText';

describe('parseJsonText', () => {
  it('parses valid JSON as JSON.parse does', () => {
    for (const text of ['{"a": [1, -2.5e3, true, null, "x\\u00e9\\n"]}', ' [] ', '"s"', '0']) {
      assert.deepEqual(parseJsonText(text), { ok: true, value: JSON.parse(text) as unknown });
    }
  });

  it('gives the line and column of the fault and nothing of the text', () => {
    const cases: [string, string][] = [
      ['{"key": SECRETVALUE}', 'line 1, column 9'],
      ['{\n  "a": 1,\n  "b": 2,\n}', 'line 4, column 1'],
      ['{"a": "unterminated', 'line 1, column 20'],
      ['[1, 2', 'line 1, column 6'],
      ['{"a": 1} trailing', 'line 1, column 10'],
      ['{"a": "tab\there"}', 'line 1, column 11'],
      ['{"a": "\\q"}', 'line 1, column 9'],
      ['{"a": 01}', 'line 1, column 8'],
      ['', 'line 1, column 1'],
    ];
    for (const [text, where] of cases) {
      const parsed = parseJsonText(text);
      assert.deepEqual(parsed, { ok: false, problem: `not valid JSON at ${where}` }, text);
    }
  });

  it('throws an invalid-input error naming what was parsed', () => {
    assert.throws(() => parseJsonOrThrow('{"token": abc}', 'The response'), /^LogqsError: The response is not valid JSON at line 1, column 11$/m);
    assert.throws(() => parseJsonOrThrow('{"token": abc}', 'The response'), (error: Error) => !error.message.includes('abc'));
  });
});
