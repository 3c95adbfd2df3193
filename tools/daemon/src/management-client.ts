import { connect } from 'node:net';

/** The management commands whose answers end with the `END` marker. */
export type ManagementCommand = 'counters' | 'gauges' | 'timers' | 'stats';

// Every answer to these four commands ends with this; the daemon escapes newlines inside
// metric names when it prints them, so the marker cannot appear earlier.
const END_MARKER = 'END\n\n';

/**
 * Sends one command to the daemon's management port and resolves with the answer, without the
 * trailing `END` marker.
 *
 * One short-lived connection per command: the daemon treats every `data` event as one command,
 * so two commands on one connection could arrive glued together and be answered with `ERROR`.
 */
export function queryManagement(
  host: string,
  port: number,
  command: ManagementCommand,
  timeoutMs: number,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = connect({ host, port });
    let answer = '';
    let settled = false;
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve(answer.slice(0, -END_MARKER.length));
      else reject(error);
    };
    const timer = setTimeout(() => {
      finish(
        new Error(
          `The StatsD management port ${host}:${port} did not finish answering \`${command}\` ` +
            `within ${timeoutMs} ms; received so far: ${JSON.stringify(answer)}.`,
        ),
      );
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(command));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.endsWith(END_MARKER)) finish(undefined);
    });
    socket.once('error', (cause: Error) => {
      finish(
        new Error(`Querying \`${command}\` on the StatsD management port ${host}:${port} failed.`, {
          cause,
        }),
      );
    });
    socket.once('close', () => {
      finish(
        new Error(
          `The StatsD management port ${host}:${port} closed the connection before ending its ` +
            `answer to \`${command}\`; received: ${JSON.stringify(answer)}.`,
        ),
      );
    });
  });
}
