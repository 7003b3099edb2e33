/** Seconds from an ISO 8601 time (an eventTime, a CreateTime) to `now`, unrounded; negative if it lies ahead. */
export function secondsSince(time: string, now: Date): number {
  return (now.getTime() - Date.parse(time)) / 1000;
}
