import { LogqsError } from '../../src/core/errors';

/** For assert.rejects / assert.throws: the error is a LogqsError with this code. */
export const code = (expected: string) => (error: unknown) => LogqsError.is(error) && error.code === expected;
