/**
 * The demo's replay of the rest of the seed quarter: the events whose instant the demo clock has
 * passed, and the ones still to come. The seed lists events in the order they arrive, not by
 * instant (an event reported late comes after later ones), so the events due are taken wherever
 * they are in the list, and every other one is kept, in its order.
 */
export function takeDue<E extends { occurredAt: string }>(
  pending: readonly E[],
  now: number,
): { due: E[]; rest: E[] } {
  const due: E[] = [];
  const rest: E[] = [];
  for (const e of pending) (Date.parse(e.occurredAt) <= now ? due : rest).push(e);
  return { due, rest };
}
