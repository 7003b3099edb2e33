import { describe, expect, it } from 'vitest';
import { secondsSince } from '../../domain/time';

describe('secondsSince', () => {
  it('counts the seconds from an ISO 8601 time to now, fractions kept and a future time negative', () => {
    // Arrange
    const now = new Date('2026-11-28T11:30:00.500Z');
    // Act
    const past = secondsSince('2026-11-28T11:28:00Z', now);
    const ahead = secondsSince('2026-11-28T11:30:10Z', now);
    // Assert
    expect(past).toBe(120.5);
    expect(ahead).toBe(-9.5);
  });
});
