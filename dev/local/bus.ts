import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type BusEvent, envelope, matchesPattern, type Publish, RULES } from "../../lib/contracts/bus";

/**
 * The local event bus: routes every published event with the rule patterns the CDK stack deploys
 * (lib/contracts/bus.ts RULES), to the same targets: the consumer's queue (batches of 10, failed messages
 * redelivered, a dead-letter list after 5 receives) and the functions behind the other rules.
 * Nothing accepted is dropped silently: a message given up on stays in the dead-letter list, is
 * reported through `onDeadLetter`, and counted in `deadLetters.length` (the local stack prints it).
 */
export type RuleTarget =
  | { kind: "queue"; queue: LocalQueue }
  | { kind: "function"; invoke: (event: BusEvent) => Promise<unknown> };

export class LocalQueue {
  private readonly pending: { record: SQSRecord; receives: number }[] = [];
  readonly deadLetters: SQSRecord[] = [];
  private running = 0;
  private inFlight = 0;
  private seq = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly handler: (event: SQSEvent, context: never) => Promise<SQSBatchResponse | undefined>,
    private readonly options: {
      workers: number;
      batchSize: number;
      maxReceives: number;
      onError?: (e: unknown) => void;
      /** A message given up on after `maxReceives` deliveries, now in {@link deadLetters}. */
      onDeadLetter?: (record: SQSRecord, receives: number) => void;
    },
  ) {}

  send(body: string): void {
    this.seq++;
    this.pending.push({
      receives: 0,
      record: {
        messageId: `local-${this.seq}`,
        receiptHandle: `local-${this.seq}`,
        body,
        attributes: {
          ApproximateReceiveCount: "0",
          SentTimestamp: String(Date.now()),
          SenderId: "local",
          ApproximateFirstReceiveTimestamp: "0",
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:local:000000000000:events",
        awsRegion: "local",
      },
    });
    this.pump();
  }

  get depth(): number {
    return this.pending.length + this.running;
  }

  /** Messages not handled yet: waiting, or in a batch being delivered. */
  get backlog(): number {
    return this.pending.length + this.inFlight;
  }

  private pump(): void {
    while (this.running < this.options.workers && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.batchSize);
      this.running++;
      this.inFlight += batch.length;
      void this.deliver(batch).finally(() => {
        this.running--;
        this.inFlight -= batch.length;
        this.pump();
        if (this.depth === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private async deliver(batch: { record: SQSRecord; receives: number }[]): Promise<void> {
    for (const m of batch) m.receives++;
    let failed: Set<string>;
    try {
      const out = await this.handler({ Records: batch.map((m) => m.record) }, {} as never);
      failed = new Set(out?.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (e) {
      this.options.onError?.(e);
      failed = new Set(batch.map((m) => m.record.messageId));
    }
    for (const m of batch) {
      if (!failed.has(m.record.messageId)) continue;
      if (m.receives >= this.options.maxReceives) {
        this.deadLetters.push(m.record);
        this.options.onDeadLetter?.(m.record, m.receives);
      } else this.pending.push(m);
    }
  }

  /** Resolves when every message sent so far has been handled. */
  drained(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}

export class LocalBus {
  constructor(
    private readonly targets: Record<(typeof RULES)[number]["id"], RuleTarget>,
    private readonly now: () => number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** The functions' PutEvents (ingest-api, the sweep), to the project's bus: none fails to be accepted. */
  readonly publish: Publish = async (entries) => {
    for (const e of entries) {
      const event = envelope(e.detail as Record<string, unknown>, e.source, this.now());
      event["detail-type"] = e.detailType;
      this.route(event);
    }
    return { failed: [] };
  };

  /**
   * Delivers an event to the targets of the rules on `bus` it matches, and answers how many rules
   * that was: none is not an error (EventBridge accepts the event and delivers it nowhere).
   */
  route(event: BusEvent, bus: (typeof RULES)[number]["bus"] = "dossier"): number {
    let matched = 0;
    for (const rule of RULES) {
      if (rule.bus !== bus) continue;
      if (!matchesPattern(rule.eventPattern as never, event as unknown as Record<string, unknown>)) continue;
      matched++;
      const target = this.targets[rule.id];
      if (target.kind === "queue") target.queue.send(JSON.stringify(event));
      else {
        const delivery = target.invoke(event).catch(this.onError);
        this.inFlight.add(delivery);
        void delivery.finally(() => this.inFlight.delete(delivery));
      }
    }
    return matched;
  }

  /** The functions' deliveries not finished yet (send-alerts after a sweep): what `settled` waits for. */
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Waits until every function delivery routed so far has finished (those routed meanwhile too). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
