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
