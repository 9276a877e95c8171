/** Simulated time: starts at `start`, runs `speed` times faster than real time once started. */
export class DemoClock {
  private base: number;
  private realBase = 0;
  private running = false;
  constructor(
    start: number,
    readonly speed: number,
  ) {
    this.base = start;
  }
  now = (): number => (this.running ? this.base + (Date.now() - this.realBase) * this.speed : this.base);
  start(): void {
    if (this.running) return;
    this.realBase = Date.now();
    this.running = true;
  }
  /** Moves simulated time forward at once (tests, and `--advance`). */
  advance(ms: number): void {
    this.base = this.now() + ms;
    this.realBase = Date.now();
  }
}
