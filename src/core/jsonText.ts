import { LogqsError } from './errors';

/**
 * JSON.parse's messages quote the text around a fault, and that text may be
 * a secret (a managed-stores file, a credentials response). This parser says
 * only where the fault is: "line 3, column 24".
 */
export type JsonParse = { ok: true; value: unknown } | { ok: false; problem: string };

export function parseJsonText(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const offset = firstSyntaxError(text);
    return { ok: false, problem: offset === undefined ? 'not valid JSON' : `not valid JSON at ${lineAndColumn(text, offset)}` };
  }
}

/** parseJsonText for callers that want an error: a LogqsError naming `what` and the position. */
export function parseJsonOrThrow(text: string, what: string, field?: string): unknown {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new LogqsError('invalid-input', `${what} is ${parsed.problem}`, { field });
  }
  return parsed.value;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

const MAX_DEPTH = 1000;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** Thrown inside the scanner to unwind to the fault's offset. */
class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at offset ${offset}`);
  }
}

/** The offset of the first character that makes `text` invalid JSON (the end of the text when it stops short). */
function firstSyntaxError(text: string): number | undefined {
  let at = 0;
  const fail = (): never => {
    throw new SyntaxAt(at);
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) {
      at++;
    }
  };
  const expect = (char: string) => {
    if (text[at] !== char) {
      fail();
    }
    at++;
  };
  const string = () => {
    expect('"');
    while (at < text.length && text[at] !== '"') {
      const code = text.charCodeAt(at);
      if (code < 0x20) {
        fail();
      }
      if (text[at] === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) {
            fail();
          }
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) {
          fail();
        }
      }
      at++;
    }
    expect('"');
  };
  const sticky = (pattern: RegExp) => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) {
      fail();
    }
    at = pattern.lastIndex;
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) {
      fail();
    }
    space();
    const char = text[at];
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      at++;
      space();
      if (text[at] === close) {
        at++;
        return;
      }
      for (;;) {
        if (close === '}') {
          space();
          string();
          space();
          expect(':');
        }
        value(depth + 1);
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        expect(close);
        return;
      }
    } else if (char === '"') {
      string();
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      sticky(NUMBER);
    } else {
      sticky(LITERAL);
    }
  };
  try {
    value(0);
    space();
    if (at < text.length) {
      fail();
    }
    return undefined;
  } catch (error) {
    // Anything else (a stack overflow on absurd nesting) just means "no position".
    return error instanceof SyntaxAt ? error.offset : undefined;
  }
}
