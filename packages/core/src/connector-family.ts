import { Aggregator } from './aggregator.js';
import type { DialectRules } from './dialect.js';
import { ErrorCode, StatsdError, describeValue, invalidOption } from './errors.js';
import { kTransportFactory, type InternalOptions } from './internal.js';
import { MetricFormatter } from './metric-formatter.js';
import { sampledTypes } from './metric-values.js';
import {
  isStream,
  normalizePrefix,
  resolveOptions,
  tagsOption,
  type ResolvedOptions,
} from './options.js';
import { Pipeline } from './pipeline.js';
import { joinTags, renderTags } from './tags.js';
import { transportFor } from './transports/index.js';
import type { ChildOptions, ConnectorOptions, TagFormat, Tags } from './types.js';

/**
 * What a connector is built from. A child shares its parent's pipeline (queue, connection,
 * accounting) and sample rate, and gets a formatter of its own for its prefix and tags.
 */
export interface Family {
  /** What the server understands: the row of the dialect table. */
  readonly dialect: DialectRules;
  /** `undefined` for a disabled connector. */
  readonly pipeline: Pipeline | undefined;
  /** Client-side aggregation (`aggregate: true`), drained by the pipeline at every flush. */
  readonly aggregator: Aggregator | undefined;
  readonly formatter: MetricFormatter;
  /** The default sample rate of metric calls. */
  readonly sampleRate: number;
  /** Rated type suffixes with the default sample rate appended (see `sampledTypes`). */
  readonly sampledTypes: ReadonlyMap<string, string>;
}

/** Checks the options (throwing a `StatsdError` naming a bad one) and builds a new family. */
export function createFamily(options: ConnectorOptions): Family {
  const resolved = resolveOptions(options);
  const ascii = isStream(resolved.protocol);
  const formatter = new MetricFormatter({
    prefix: resolved.prefix,
    kindSegments: resolved.kindSegments,
    tagFormat: resolved.tagFormat,
    ascii,
    fixedTags:
      resolved.globalTags === undefined
        ? ''
        : fixedTags('globalTags', resolved.globalTags, resolved.tagFormat, ascii),
    packValues: resolved.valuePacking !== 'none',
  });
  const pipeline = resolved.enabled ? createPipeline(resolved, options) : undefined;
  let aggregator: Aggregator | undefined;
  if (pipeline !== undefined && resolved.aggregate) {
    const created = new Aggregator(pipeline, resolved.dialect.negativeGauge === 'zeroFirst');
    pipeline.addSource(() => created.drain());
    aggregator = created;
  }
  return {
    dialect: resolved.dialect,
    pipeline,
    aggregator,
    formatter,
    sampleRate: resolved.sampleRate,
    sampledTypes: sampledTypes(resolved.sampleRate),
  };
}

/**
 * The family of a child: the parent's, with `prefix` added after the parent's prefix and `tags`
 * after its tags. Throws a `StatsdError` naming a bad option.
 */
export function childFamily(parent: Family, options: ChildOptions): Family {
  checkChildOptions(options);
  const settings = parent.formatter.settings;
  let tags = settings.fixedTags;
  if (options.tags !== undefined) {
    const given = tagsOption('tags', options.tags);
    tags = joinTags(
      tags,
      fixedTags('tags', given, settings.tagFormat, settings.ascii),
      settings.tagFormat,
    );
  }
  return {
    ...parent,
    formatter: new MetricFormatter({
      ...settings,
      prefix: settings.prefix + normalizePrefix(options.prefix, settings.ascii),
      fixedTags: tags,
    }),
  };
}

const CHILD_OPTIONS: ReadonlySet<string> = new Set(['prefix', 'tags']);

/** A child takes an object with `prefix` and `tags`; anything else is most likely a typo. */
function checkChildOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object with `prefix` and/or `tags`');
  }
  for (const key of Object.keys(options)) {
    if (!CHILD_OPTIONS.has(key)) {
      throw new StatsdError(
        ErrorCode.InvalidOption,
        `Unknown child option \`${key}\`: received ` +
          `${describeValue((options as Record<string, unknown>)[key])}, expected \`prefix\` or ` +
          '`tags` (the rest is set on the parent and shared).',
      );
    }
  }
}

/** Tags written on every metric of a connector, rendered once; throws for a value with no text. */
function fixedTags(option: string, tags: Tags, tagFormat: TagFormat, ascii: boolean): string {
  const rendered = renderTags(tags, tagFormat, ascii);
  if (rendered === undefined) {
    throw invalidOption(
      option,
      tags,
      'tag values that are strings, numbers or booleans (null, undefined and false leave a ' +
        'tag out), or an array of strings',
    );
  }
  return rendered;
}

function createPipeline(resolved: ResolvedOptions, options: ConnectorOptions): Pipeline {
  const factory =
    (options as InternalOptions)[kTransportFactory] ?? transportFor(resolved.protocol);
  return new Pipeline(resolved, factory);
}
