import type { ConnectorStats, DropReason } from './types.js';

/** The live counters behind {@link ConnectorStats}; shared by a connector and its children. */
export class StatsCounter {
  enqueued = 0;
  sent = 0;
  sampledOut = 0;
  packetsSent = 0;
  bytesSent = 0;
  reconnects = 0;
  readonly dropReasons: Record<DropReason, number> = {
    queueFull: 0,
    invalid: 0,
    tooLong: 0,
    sendError: 0,
    stopTimeout: 0,
    unsupported: 0,
  };

  /** Counts `metrics` as dropped for `reason`. */
  drop(reason: DropReason, metrics: number): void {
    this.dropReasons[reason] += metrics;
  }

  /** A frozen copy, with the queue's figures and the connection state filled in. */
  snapshot(queued: number, queuedBytes: number, connected: boolean): ConnectorStats {
    const dropReasons = { ...this.dropReasons };
    let dropped = 0;
    for (const count of Object.values(dropReasons)) dropped += count;
    return Object.freeze({
      enqueued: this.enqueued,
      sent: this.sent,
      dropped,
      queued,
      queuedBytes,
      dropReasons: Object.freeze(dropReasons),
      sampledOut: this.sampledOut,
      packetsSent: this.packetsSent,
      bytesSent: this.bytesSent,
      reconnects: this.reconnects,
      connected,
    });
  }
}
