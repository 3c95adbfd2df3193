// A reading of DogStatsD events and service checks that follows the Datadog agent's parser step by
// step (DataDog/datadog-agent, comp/dogstatsd/server/parse_events.go, parse_service_checks.go and
// parse.go `nextField`/`parseTags`; messages are split from a packet at `\n` first), so that
// tests can check what the agent would read from our bytes, not only what we meant to write.

export interface AgentEvent {
  title: string;
  text: string;
  fields: Record<string, string>;
  tags: string[];
}

export interface AgentCheck {
  name: string;
  status: number;
  fields: Record<string, string>;
  tags: string[];
}

/** The messages of a packet, as the agent splits them (`\n`, with a `\r` before it dropped). */
export function agentMessages(packet: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= packet.length; i++) {
    if (i === packet.length || packet[i] === 0x0a) {
      let end = i;
      if (end > start && packet[end - 1] === 0x0d) end--;
      if (end > start) messages.push(packet.subarray(start, end));
      start = i + 1;
    }
  }
  return messages;
}

/** Splits at the first `|`, as `nextField` does; `undefined` rest when there is none. */
function nextField(message: Buffer): [Buffer, Buffer | undefined] {
  const index = message.indexOf(0x7c);
  return index < 0
    ? [message, undefined]
    : [message.subarray(0, index), message.subarray(index + 1)];
}

function optionalFields(rest: Buffer | undefined): {
  fields: Record<string, string>;
  tags: string[];
} {
  const fields: Record<string, string> = {};
  let tags: string[] = [];
  while (rest !== undefined) {
    const [field, next] = nextField(rest);
    rest = next;
    const text = field.toString('utf8');
    if (text.startsWith('#')) tags = text.length > 1 ? text.slice(1).split(',') : [];
    else if (/^[a-z]:/.test(text)) fields[text.slice(0, 1)] = text.slice(2);
  }
  return { fields, tags };
}

/** `parseEvent`: the header's byte lengths slice the title and the text; `\\n` becomes `\n`. */
export function parseAgentEvent(message: Buffer): AgentEvent {
  const colon = message.indexOf(0x3a);
  if (colon < 0) throw new Error('invalid event: no colon');
  const header = message.subarray(0, colon).toString('latin1');
  const match = /^_e\{(\d+),(\d+)\}$/.exec(header);
  if (match === null) throw new Error(`invalid event header: ${header}`);
  const titleLength = Number(match[1]);
  const textLength = Number(match[2]);
  if (titleLength === 0) throw new Error('invalid event: empty title');
  const raw = message.subarray(colon + 1);
  if (raw.length < titleLength + textLength + 1) throw new Error('invalid event: too short');
  const clean = (bytes: Buffer): string => bytes.toString('utf8').replaceAll('\\n', '\n');
  const title = clean(raw.subarray(0, titleLength));
  const text = clean(raw.subarray(titleLength + 1, titleLength + 1 + textLength));
  const rest =
    raw.length === titleLength + textLength + 1
      ? undefined
      : raw.subarray(titleLength + 1 + textLength + 1);
  return { title, text, ...optionalFields(rest) };
}

/** `parseServiceCheck`: `_sc|<name>|<status>`, then optional fields in any order. */
export function parseAgentCheck(message: Buffer): AgentCheck {
  if (!message.subarray(0, 4).equals(Buffer.from('_sc|'))) throw new Error('not a check');
  const [name, afterName] = nextField(message.subarray(4));
  if (name.length === 0 || afterName === undefined) throw new Error('invalid check name');
  const [status, rest] = nextField(afterName);
  const statusText = status.toString('latin1');
  if (!['0', '1', '2', '3'].includes(statusText)) throw new Error(`bad status ${statusText}`);
  return { name: name.toString('utf8'), status: Number(statusText), ...optionalFields(rest) };
}
