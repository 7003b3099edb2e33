import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCHED_EVENTS } from '../../domain/cloudtrail';
import { isRecentStatusCall, KINDS, kindOfStatusCall, statusOperation, WATCH_KINDS } from '../../domain/kinds';
import { outcomesFor } from '../../domain/notification';

describe('the table of kinds of watch', () => {
  it.each([
    { kind: 'distribution', operation: 'GetDistribution', recent: false },
    { kind: 'invalidation', operation: 'GetInvalidation', recent: false },
    { kind: 'tenant', operation: 'GetDistributionTenant', recent: true },
    { kind: 'tenant-invalidation', operation: 'GetInvalidationForDistributionTenant', recent: true },
  ] as const)('reads a $kind status with $operation (recent: $recent)', ({ kind, operation, recent }) => {
    // Act
    const read = { operation: statusOperation(kind), recent: isRecentStatusCall(kind) };
    // Assert
    expect(read).toEqual({ operation, recent });
  });

  it('finds the kind of each status call', () => {
    // Act
    const kinds = [
      'getDistribution',
      'getInvalidation',
      'getDistributionTenant',
      'getInvalidationForDistributionTenant',
    ].map((call) => kindOfStatusCall(call as Parameters<typeof kindOfStatusCall>[0]));
    // Assert
    expect(kinds).toEqual(['distribution', 'invalidation', 'tenant', 'tenant-invalidation']);
  });

  it.each([
    {
      kind: 'distribution',
      outcomes: ['deployed', 'superseded', 'not-found', 'timed-out', 'check-failed'],
    },
    { kind: 'invalidation', outcomes: ['completed', 'not-found', 'timed-out', 'check-failed'] },
    { kind: 'tenant', outcomes: ['deployed', 'superseded', 'not-found', 'timed-out', 'check-failed'] },
    { kind: 'tenant-invalidation', outcomes: ['completed', 'not-found', 'timed-out', 'check-failed'] },
  ] as const)('has words for every way a $kind watch ends, and no others', ({ kind, outcomes }) => {
    // Act
    const worded = outcomesFor(kind);
    // Assert
    expect(worded).toEqual(outcomes);
    expect(worded.includes('superseded')).toBe(KINDS[kind].supersedable);
    expect(worded).toContain(KINDS[kind].doneOutcome);
  });

  it('gives every state of every kind its own name, so no two branches share a state', () => {
    // Arrange
    const names = WATCH_KINDS.flatMap((kind) => Object.values(KINDS[kind].states));
    // Act
    const distinct = new Set(names);
    // Assert
    expect(names).toHaveLength(50);
    expect(distinct.size).toBe(names.length);
  });

  it('watches by default exactly the calls whose status Step Functions already knows how to read', () => {
    // Assert
    expect(DEFAULT_WATCHED_EVENTS).toEqual([
      'CreateDistribution',
      'CreateDistributionWithTags',
      'UpdateDistribution',
      'CopyDistribution',
      'UpdateDistributionWithStagingConfig',
      'AssociateAlias',
      'CreateInvalidation',
    ]);
  });
});
