/**
 * Role permissions: the built-in defaults, compilation of the configured `auth.permissions` into
 * {@link Policy} objects (sets, checked on every subscribe/publish) and the union of several roles.
 */
import { STREAM_NAMES, canonicalStream, isStreamName, type CanonicalStream } from '@tablecast/protocol';
import { ConfigError } from '../config/load.js';
import { CHANNEL_NAMES, type ChannelName, type RolePermissionsInput } from '../config/auth-section.js';

/** What one principal may do. */
export interface Policy {
  readonly subscribe: ReadonlySet<CanonicalStream>;
  readonly publish: ReadonlySet<CanonicalStream>;
  readonly channels: ReadonlySet<ChannelName>;
  /** `'*'` = any group. */
  readonly groups: '*' | ReadonlySet<string>;
  readonly admin: boolean;
}

const ALL_STREAMS: readonly CanonicalStream[] = [...new Set(STREAM_NAMES.map((s) => canonicalStream(s)))];

/** Role name of connections without credentials. */
export const ANONYMOUS_ROLE = 'anonymous';

/**
 * Built-in permissions; a configured entry replaces the built-in entry of the same role.
 * - anonymous: read everything but `system_health` (which needs a token), no publish, gateway,
 *   detection and status channels.
 * - subscriber: read everything, no publish, every channel.
 * - publisher: read everything; publish the data streams (not `config`, not `system_health`, which
 *   the server itself produces).
 * - admin: everything, admin REST included.
 */
export const DEFAULT_PERMISSIONS: Readonly<Record<string, RolePermissionsInput>> = {
  [ANONYMOUS_ROLE]: {
    subscribe: ALL_STREAMS.filter((s) => s !== 'system_health'),
    publish: [],
    channels: ['gateway', 'detection', 'status'],
    groups: '*',
    admin: false,
  },
  subscriber: { subscribe: '*', publish: [], channels: '*', groups: '*', admin: false },
  publisher: {
    subscribe: '*',
    publish: ['state', 'trajectory', 'frame', 'alert', 'performance', 'event', 'detection', 'status'],
    channels: '*',
    groups: '*',
    admin: false,
  },
  admin: '*',
};

const EVERYTHING: Policy = {
  subscribe: new Set(ALL_STREAMS),
  publish: new Set(ALL_STREAMS),
  channels: new Set(CHANNEL_NAMES),
  groups: '*',
  admin: true,
};

/** A policy that allows nothing. */
export const NOTHING: Policy = { subscribe: new Set(), publish: new Set(), channels: new Set(), groups: new Set(), admin: false };

function streams(list: '*' | string[] | undefined, key: string): Set<CanonicalStream> {
  if (list === undefined) return new Set();
  if (list === '*') return new Set(ALL_STREAMS);
  const out = new Set<CanonicalStream>();
  list.forEach((name, i) => {
    if (!isStreamName(name)) throw new ConfigError(`config: ${key}.${i} is not a stream name (got ${JSON.stringify(name)})`, `${key}.${i}`);
    out.add(canonicalStream(name));
  });
  return out;
}

/**
 * Compiles one role's permissions.
 * @param key dotted config key, for error messages
 * @throws ConfigError when a stream name is unknown
 */
export function compilePolicy(input: RolePermissionsInput, key: string): Policy {
  if (input === '*') return EVERYTHING;
  return {
    subscribe: streams(input.subscribe, `${key}.subscribe`),
    publish: streams(input.publish, `${key}.publish`),
    channels: new Set(input.channels === undefined || input.channels === '*' ? CHANNEL_NAMES : input.channels),
    groups: input.groups === undefined || input.groups === '*' ? '*' : new Set(input.groups),
    admin: input.admin ?? false,
  };
}

/**
 * Compiles the built-in permissions overlaid with the configured ones.
 * @throws ConfigError naming the bad key (`auth.permissions.<role>.subscribe.<i>`)
 */
export function compilePolicies(configured: Readonly<Record<string, RolePermissionsInput>>): Map<string, Policy> {
  const out = new Map<string, Policy>();
  for (const [role, p] of Object.entries({ ...DEFAULT_PERMISSIONS, ...configured })) {
    out.set(role, compilePolicy(p, `auth.permissions.${role}`));
  }
  return out;
}

/** The union of several policies (a principal with several roles may do what any of them may). */
export function unionPolicies(policies: readonly Policy[]): Policy {
  if (policies.length === 0) return NOTHING;
  if (policies.length === 1) return policies[0]!;
  const groups = policies.some((p) => p.groups === '*') ? '*' : new Set(policies.flatMap((p) => [...(p.groups as ReadonlySet<string>)]));
  return {
    subscribe: new Set(policies.flatMap((p) => [...p.subscribe])),
    publish: new Set(policies.flatMap((p) => [...p.publish])),
    channels: new Set(policies.flatMap((p) => [...p.channels])),
    groups,
    admin: policies.some((p) => p.admin),
  };
}

/** Whether `policy` lets its holder join `group`. */
export function mayJoinGroup(policy: Policy, group: string): boolean {
  return policy.groups === '*' || policy.groups.has(group);
}
