import { describe, expect, it } from 'vitest';
import { logUnexpected, markLogged, withFields } from '../../../functions/commons/log';
import { collectingLogger } from '../../support/logger';

describe('logUnexpected', () => {
  it('logs an error the work did not log, then fails the record with that same error', async () => {
    // Arrange
    const logger = collectingLogger();
    const bug = new TypeError('Cannot read properties of undefined');
    // Act
    const running = logUnexpected(logger, () => Promise.reject(bug));
    // Assert
    await expect(running).rejects.toBe(bug);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: 'Record failed with an unexpected error; SQS delivers it again',
        fields: { error: 'TypeError', errorMessage: 'Cannot read properties of undefined' },
      },
    ]);
  });

  it('does not log again an error the work marked as logged', async () => {
    // Arrange
    const logger = collectingLogger();
    const known = markLogged(new Error('Rate exceeded'));
    // Act
    const running = logUnexpected(logger, () => Promise.reject(known));
    // Assert
    await expect(running).rejects.toBe(known);
    expect(logger.lines).toEqual([]);
  });

  it('logs a thrown value that is not an Error', async () => {
    // Arrange
    const logger = collectingLogger();
    // Act
    // A non-Error rejection, as untyped code may produce: what is logged then.
    const running = logUnexpected(logger, () => Promise.reject('plain text'));
    // Assert
    await expect(running).rejects.toBe('plain text');
    expect(logger.lines[0]!.fields).toEqual({ error: 'string', errorMessage: 'plain text' });
  });

  it('passes the result of work that succeeds through, without a line', async () => {
    // Arrange
    const logger = collectingLogger();
    // Act
    const result = await logUnexpected(logger, async () => 42);
    // Assert
    expect(result).toBe(42);
    expect(logger.lines).toEqual([]);
  });
});

describe('withFields', () => {
  it("adds its fields to every line of every level, before the line's own fields", () => {
    // Arrange
    const logger = collectingLogger();
    const recordLogger = withFields(logger, { messageId: 'm-1' });
    // Act
    recordLogger.info('a', { check: 1 });
    recordLogger.warn('b');
    recordLogger.error('c', { messageId: 'own' });
    // Assert
    expect(logger.lines).toEqual([
      { level: 'info', message: 'a', fields: { messageId: 'm-1', check: 1 } },
      { level: 'warn', message: 'b', fields: { messageId: 'm-1' } },
      { level: 'error', message: 'c', fields: { messageId: 'own' } },
    ]);
  });
});
