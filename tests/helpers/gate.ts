/**
 * A gate two racing runs wait at until both have arrived, so they take the same step together (both
 * read before either writes). A run arrives at the step, or once it is done, so neither waits for
 * one that ended before reaching it.
 */
export function gateOfTwo(): { arrive: () => void; opened: Promise<void> } {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    arrive: () => {
      arrived += 1;
      if (arrived === 2) open();
    },
    opened,
  };
}

/**
 * One racing run's step at `gate`: `read` as it is, but its first call arrives at the gate once it
 * has read and waits for the other run; `done()` arrives for a run that never made the call.
 */
export function afterFirstRead<A extends unknown[], R>(
  gate: ReturnType<typeof gateOfTwo>,
  read: (...args: A) => Promise<R>,
): { read: (...args: A) => Promise<R>; done: () => void } {
  let first = true;
  const arrive = () => {
    if (!first) return false;
    first = false;
    gate.arrive();
    return true;
  };
  return {
    read: async (...args: A) => {
      const out = await read(...args);
      if (arrive()) await gate.opened;
      return out;
    },
    done: () => {
      arrive();
    },
  };
}
