import { describe, expect, it } from 'vitest';
import { reserveReadSlot } from '../../domain/read-budget';

const NOW = 1_800_000_000_000;

describe('reserving a read slot', () => {
  it('gives the first watch the slot now and frees the next one a fifth of a second later at 5 a second', () => {
    // Act
    const slot = reserveReadSlot(undefined, NOW, 5, 60);
    // Assert
    expect(slot).toEqual({ slotAtMs: NOW, nextFreeAtMs: NOW + 200, waitSeconds: 0 });
  });

  it('gives the slot now when the next free slot has passed', () => {
    // Act
    const slot = reserveReadSlot(NOW - 5_000, NOW, 5, 60);
    // Assert
    expect(slot).toEqual({ slotAtMs: NOW, nextFreeAtMs: NOW + 200, waitSeconds: 0 });
  });

  it('queues a watch behind the others and rounds its wait up to whole seconds', () => {
    // Act
    const slot = reserveReadSlot(NOW + 2_200, NOW, 5, 60);
    // Assert
    expect(slot).toEqual({ slotAtMs: NOW + 2_200, nextFreeAtMs: NOW + 2_400, waitSeconds: 3 });
  });

  it('hands out slots in turn: three reservations at once at 2 a second wait 0, 1 and 1 s', () => {
    // Act
    const first = reserveReadSlot(undefined, NOW, 2, 60);
    const second = reserveReadSlot(first.nextFreeAtMs, NOW, 2, 60);
    const third = reserveReadSlot(second.nextFreeAtMs, NOW, 2, 60);
    // Assert
    expect([first.waitSeconds, second.waitSeconds, third.waitSeconds]).toEqual([0, 1, 1]);
    expect(third).toEqual({ slotAtMs: NOW + 1_000, nextFreeAtMs: NOW + 1_500, waitSeconds: 1 });
  });

  it('takes a slot exactly at the cap', () => {
    // Act
    const slot = reserveReadSlot(NOW + 60_000, NOW, 5, 60);
    // Assert
    expect(slot).toEqual({ slotAtMs: NOW + 60_000, nextFreeAtMs: NOW + 60_200, waitSeconds: 60 });
  });

  it('does not take a slot beyond the cap: the watch waits the cap and the queue stays as it was', () => {
    // Act
    const slot = reserveReadSlot(NOW + 60_001, NOW, 5, 60);
    // Assert
    expect(slot).toEqual({ slotAtMs: NOW + 60_000, nextFreeAtMs: NOW + 60_001, waitSeconds: 60 });
  });

  it('refuses a budget of 0 reads a second', () => {
    // Act
    const reserve = () => reserveReadSlot(undefined, NOW, 0, 60);
    // Assert
    expect(reserve).toThrow(RangeError);
  });
});
