/**
 * Fakes `Date` alone, frozen at the real now: what reads the clock (rate-limit windows, token and key expiry)
 * sees only the time the test sets with `jest.setSystemTime`, while timers, ticks and `performance` stay
 * real, so servers, pools and drivers run as ever. Undo with `jest.useRealTimers()`.
 */
export function freezeDate(): void {
  jest.useFakeTimers({
    now: Date.now(),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

/** Moves the frozen `Date` on by `ms`. */
export function advanceDate(ms: number): void {
  jest.setSystemTime(Date.now() + ms);
}
