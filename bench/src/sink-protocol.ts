/** The IPC messages between a benchmark process and its counting sink (`sink.ts`). */

/** What the sink has counted since the last reset. Times are `process.hrtime.bigint()` strings. */
export interface SinkCounts {
  readonly udpLines: number;
  readonly udpPackets: number;
  readonly tcpLines: number;
  readonly lines: number;
  /**
   * Metric values: a line carries one, or several when packed (`name:12|ms:7|ms`). What every
   * figure counts as delivered.
   */
  readonly udpValues: number;
  readonly tcpValues: number;
  readonly values: number;
  /** Payload bytes: UDP datagrams' and TCP streams' together. */
  readonly bytes: number;
  /** When the first byte since the reset arrived (`'0'` if none). */
  readonly firstAt: string;
  /** When the last byte arrived (`'0'` if none). */
  readonly lastAt: string;
  /** The kernel's drop counter for the UDP socket (cumulative, -1 where unknown). */
  readonly udpDrops: number;
}

export type SinkRequest =
  | { readonly id: number; readonly type: 'reset' }
  | { readonly id: number; readonly type: 'counts' }
  /** Answers once `expected` metric values arrived, or nothing arrived for `quietMs`. */
  | {
      readonly id: number;
      readonly type: 'settle';
      readonly expected: number;
      readonly quietMs: number;
    }
  | { readonly id: number; readonly type: 'tcp-listen'; readonly port: number }
  | { readonly id: number; readonly type: 'tcp-close' }
  | { readonly id: number; readonly type: 'exit' };

export type SinkReply =
  | { readonly id: number; readonly type: 'ok' }
  | { readonly id: number; readonly type: 'counts'; readonly counts: SinkCounts }
  | { readonly id: number; readonly type: 'port'; readonly port: number }
  | {
      readonly id: 0;
      readonly type: 'ready';
      readonly udpPort: number;
      readonly tcpPort: number;
      /** What the kernel granted (Linux reports twice the usable size). */
      readonly recvBufferSize: number;
      readonly requestedRecvBufferSize: number;
    };
