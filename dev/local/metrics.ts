import { Metrics } from "@aws-lambda-powertools/metrics";

/**
 * Metrics that are counted but never printed: Lambda prints them for CloudWatch; locally (the
 * local stack, the bench) no one reads them, and no process setting is needed to silence them.
 */
export class LocalMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    this.clearDimensions();
    this.clearMetadata();
    return this;
  }
}
