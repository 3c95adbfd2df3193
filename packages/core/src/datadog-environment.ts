import type { StatsdEnvironment } from './create-connector.js';
import type { Tags } from './types.js';

/**
 * The Datadog agent's environment, as its official clients read it (datadog-go `statsd`,
 * hot-shots `DD_ENV_GLOBAL_TAGS_MAPPING`; docs.datadoghq.com "Unified Service Tagging" and
 * "DogStatsD": origin detection over UDP): each variable becomes one global tag.
 */
const TAG_VARIABLES = [
  ['DD_ENV', 'env'],
  ['DD_SERVICE', 'service'],
  ['DD_VERSION', 'version'],
  ['DD_ENTITY_ID', 'dd.internal.entity_id'],
] as const;

/** What `createConnector` takes besides the environment: explicit options win over `DD_*`. */
export interface DatadogTagInputs {
  /** The `service` option: the tag `service`, over `DD_SERVICE`. */
  readonly service: string | undefined;
  /** The `environment` option: the tag `env`, over `DD_ENV`. */
  readonly environment: string | undefined;
  /** The `globalTags` option: its keys win over every `DD_*` tag of the same key. */
  readonly globalTags: unknown;
}

/**
 * The global tags of a connector in the `dogstatsd` dialect: `DD_TAGS` (comma or space
 * separated), `env`, `service`, `version` (from the `environment` and `service` options, else
 * `DD_ENV`, `DD_SERVICE`, `DD_VERSION`) and `dd.internal.entity_id` (`DD_ENTITY_ID`), then the
 * explicit `globalTags`. A key given explicitly wins over the same key from the environment,
 * and a specific variable (`DD_ENV`) over the same key in `DD_TAGS`. Returns `globalTags` as it
 * is when there is nothing to add, or when it is not tags at all (the connector then refuses it
 * with its usual message).
 */
export function datadogGlobalTags(
  inputs: DatadogTagInputs,
  env: StatsdEnvironment,
): Tags | undefined {
  const explicit = explicitTags(inputs.globalTags);
  if (explicit === undefined) return inputs.globalTags as Tags;
  const taken = new Set(explicit.map(tagKey));
  const specific: string[] = [];
  const given: Readonly<Record<string, string | undefined>> = {
    DD_ENV: inputs.environment,
    DD_SERVICE: inputs.service,
  };
  for (const [variable, key] of TAG_VARIABLES) {
    const value = nonBlank(given[variable]) ?? nonBlank(env[variable]);
    if (value !== undefined && !taken.has(key)) specific.push(`${key}:${value}`);
  }
  for (const tag of specific) taken.add(tagKey(tag));
  const fromList = (nonBlank(env.DD_TAGS) ?? '')
    .split(/[\s,]+/)
    .filter((tag) => tag !== '' && !taken.has(tagKey(tag)));
  const tags = [...fromList, ...specific, ...explicit];
  if (tags.length === explicit.length) return inputs.globalTags as Tags | undefined;
  return tags;
}

/**
 * Explicit global tags as a list of `key:value` strings, rendered as the connector would render
 * the object (`true` or `''` a bare key, `null`, `undefined` and `false` left out, a colon in a
 * key read as `_`); `undefined` when they are not tags the connector can write.
 */
function explicitTags(tags: unknown): string[] | undefined {
  if (tags === undefined) return [];
  if (typeof tags !== 'object' || tags === null) return undefined;
  if (Array.isArray(tags)) {
    const list = tags as unknown[];
    return list.every((tag) => typeof tag === 'string' || tag == null || tag === false)
      ? list.filter((tag): tag is string => typeof tag === 'string' && tag !== '')
      : undefined;
  }
  const list: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (value === undefined || value === null || value === false) continue;
    const safeKey = key.replaceAll(':', '_');
    if (value === true || value === '') list.push(safeKey);
    else if (['string', 'number', 'bigint'].includes(typeof value)) {
      list.push(`${safeKey}:${String(value as string | number | bigint)}`);
    } else return undefined;
  }
  return list;
}

/** The key of a `key:value` tag (split at the first colon), or the whole of a bare tag. */
function tagKey(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(0, colon);
}

function nonBlank(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
