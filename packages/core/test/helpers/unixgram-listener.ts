import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';

// A real unix datagram listener in a child process, which can stop reading so that the kernel's
// queue for its socket fills up and the sender sees congestion. `unix-dgram` cannot stop reading
// a socket it bound, so the listener is a few lines of Python (python3 is needed to build
// unix-dgram anyway). Commands arrive on stdin; each datagram goes to stdout as `D <hex>`.
const SCRIPT = `
import os, select, socket, sys
path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
def say(text):
    sys.stdout.write(text + "\\n")
    sys.stdout.flush()
say("ready")
reading = True
pending = b""
while True:
    readable, _, _ = select.select([0, sock] if reading else [0], [], [])
    if 0 in readable:
        chunk = os.read(0, 4096)
        if not chunk:
            break
        pending += chunk
        while b"\\n" in pending:
            line, pending = pending.split(b"\\n", 1)
            command = line.decode().strip()
            reading = command != "pause"
            say("ok " + command)
    elif sock in readable:
        say("D " + sock.recv(65536).hex())
`;

export class UnixgramListener {
  readonly path: string;
  readonly datagrams: Buffer[] = [];
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #replies: string[] = [];
  #waiters: (() => void)[] = [];

  private constructor(path: string, child: ChildProcessWithoutNullStreams) {
    this.path = path;
    this.#child = child;
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('D ')) this.datagrams.push(Buffer.from(line.slice(2), 'hex'));
        else this.#replies.push(line);
      }
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    });
  }

  /** Binds `path` (replacing a stale socket file) and resolves once it is listening. */
  static async start(path: string): Promise<UnixgramListener> {
    const child = spawn('python3', ['-u', '-c', SCRIPT, path]);
    const listener = new UnixgramListener(path, child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit').then(() => {
      throw new Error(`the unixgram listener exited: ${stderr}`);
    });
    await Promise.race([listener.#until(() => listener.#replies.includes('ready')), exited]);
    return listener;
  }

  /** Every line received so far, in order. */
  get lines(): string[] {
    return this.datagrams.flatMap((datagram) => datagram.toString('utf8').split('\n'));
  }

  /** Stops reading the socket: the kernel queues datagrams until it is full. */
  async pause(): Promise<void> {
    await this.#command('pause');
  }

  async resume(): Promise<void> {
    await this.#command('resume');
  }

  /** Resolves once `condition` holds, checked whenever the listener reports something. */
  async waitFor(condition: () => boolean): Promise<void> {
    await this.#until(condition);
  }

  /** Kills the listener, as an agent that crashes: its socket file stays behind. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGKILL');
    await exited;
  }

  async #command(command: string): Promise<void> {
    const reply = `ok ${command}`;
    const before = this.#replies.filter((line) => line === reply).length;
    this.#child.stdin.write(command + '\n');
    await this.#until(() => this.#replies.filter((line) => line === reply).length > before);
  }

  #until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else this.#waiters.push(check);
      };
      check();
    });
  }
}
