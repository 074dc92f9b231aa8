/**
 * Channels: the poker-style WebSocket endpoints next to the gateway (PROTOCOL section 1), client
 * groups, per-user targeted sends, system-health pushes and the detection feed.
 *
 * | path | channel | behaviour |
 * |---|---|---|
 * | `/ws/detection` | `detection` | no auth, auto-subscribed to `detection`, read-only |
 * | `/ws/system-health` | `system-health` | token required (4001), auto-subscribed to `system_health` |
 * | `/ws/status` | `status` | auth as the gateway, auto-subscribed to `status` |
 * | `/ws/{user_id}` | `user` | token whose subject is `user_id` (4001/4003); targeted sends |
 *
 * Channel connections speak the gateway's envelope (they are gateway sessions with a `channel`
 * attribute); a single-stream channel may not subscribe to other streams nor publish. `?since=N`
 * resumes the channel's stream from sequence N (reliable streams).
 */
import type { IncomingMessage } from 'node:http';
import type client from 'prom-client';
import { ErrorCode, type CanonicalStream, type RequestId } from '@tablecast/protocol';
import type { Config } from '../config/index.js';
import type { AuthService } from '../auth/auth-service.js';
import { CHANNEL_STREAM } from '../auth/auth-service.js';
import type { ChannelName } from '../config/auth-section.js';
import { ProtocolError, type ClientSession, type Gateway, type Hub, type UpgradeRouter } from '@tablecast/gateway';
import type { RouteContext } from '../http/context.js';
import { GroupRegistry } from './groups.js';
import type { TargetedSender } from './http-routes.js';
import { SystemHealthMonitor } from './system-health.js';
import { sendToSessions, targetedMessage, type TargetedSpec } from './targeted.js';
import { UserDirectory } from './users.js';

export { channelRoutes } from './http-routes.js';
export { ChannelsSection, type ChannelsConfig } from '../config/channels-section.js';
export { GroupRegistry } from './groups.js';
export { SystemHealthMonitor } from './system-health.js';
export { targetedMessage, type TargetedSpec } from './targeted.js';

/** The static channel paths and their channel names (registered before the dynamic user route). */
export const CHANNEL_PATHS: readonly { path: string; channel: ChannelName }[] = [
  { path: '/ws/detection', channel: 'detection' },
  { path: '/ws/system-health', channel: 'system-health' },
  { path: '/ws/status', channel: 'status' },
  { path: '/ws/{user_id}', channel: 'user' },
];

/** Dependencies of {@link Channels}. */
export interface ChannelsDeps {
  config: Config;
  hub: Hub;
  gateway: Gateway;
  auth: AuthService;
  registry: client.Registry;
  ctx: RouteContext;
  /** Logs events that failed validation (default: ignored). */
  warn?: (message: string) => void;
}

/** The channels of one server. */
export class Channels implements TargetedSender {
  readonly groups: GroupRegistry;
  readonly users = new UserDirectory();
  readonly health: SystemHealthMonitor;

  constructor(private readonly deps: ChannelsDeps) {
    const cfg = deps.config.channels;
    this.groups = new GroupRegistry(cfg.max_groups_per_connection);
    this.health = new SystemHealthMonitor(deps.hub, deps.ctx, cfg);
    deps.hub.messageExtensions.set('join_group', (session, data, id) => this.onJoin(session, data, id));
    deps.hub.messageExtensions.set('leave_group', (session, data, id) => this.onLeave(session, data, id));
  }

  /** Registers the channel upgrade paths (no-op when `channels.enabled` is false). */
  registerUpgrades(upgrades: UpgradeRouter): void {
    if (!this.deps.config.channels.enabled) return;
    for (const { path, channel } of CHANNEL_PATHS) {
      upgrades.register(path, (req, socket, head, url) => this.deps.gateway.handleUpgrade(req, socket, head, url, channel));
    }
  }

  /** What `get_status` details show of a session beyond its principal: its groups. */
  describeSession(session: ClientSession): Record<string, unknown> {
    return this.groups.describe(session);
  }

  /** Gateway `onSession` hook: user index, auto-subscription of channel streams, `groups=` query. */
  onSession(session: ClientSession, req: IncomingMessage, channel: string): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const userId = session.principal.userId;
    if (channel === 'user' && userId !== null) this.users.add(userId, session);
    const bound = CHANNEL_STREAM[channel as ChannelName];
    if (bound) void this.autoSubscribe(session, bound, url.searchParams.get('since'));
    const groups = url.searchParams.get('groups');
    if (groups) {
      // After the welcome `connection` message, which the gateway sends right after this hook.
      queueMicrotask(() => {
        for (const g of groups.split(',').map((x) => x.trim()).filter(Boolean)) {
          try {
            this.join(session, g);
          } catch (err) {
            if (err instanceof ProtocolError) this.deps.hub.replyError(session, err.code, err.message, err.details);
          }
        }
      });
    }
  }

  private async autoSubscribe(session: ClientSession, stream: CanonicalStream, sinceRaw: string | null): Promise<void> {
    const since = sinceRaw !== null && /^\d{1,15}$/.test(sinceRaw) ? { [stream]: Number(sinceRaw) } : {};
    try {
      const { reply, deliver } = await this.deps.hub.subscribe(session, [stream], undefined, since);
      if (session.closed) return;
      this.deps.hub.reply(session, 'subscribed', reply);
      deliver();
    } catch (err) {
      if (err instanceof ProtocolError) this.deps.hub.replyError(session, err.code, err.message, err.details);
      else this.deps.hub.replyError(session, ErrorCode.INTERNAL, 'could not subscribe the channel stream');
    }
  }

  private join(session: ClientSession, group: string, requestId?: RequestId): string[] {
    if (!this.deps.auth.canJoinGroup(session, group)) {
      throw new ProtocolError(ErrorCode.FORBIDDEN, `not allowed to join group ${group.slice(0, 64)}`, { group: group.slice(0, 64) });
    }
    const groups = this.groups.join(session, group);
    this.deps.hub.reply(session, 'group_joined', { group, groups }, requestId);
    return groups;
  }

  /** `join_group {group}` (tablecast extension) -> `group_joined {group, groups}`. */
  private onJoin(session: ClientSession, data: unknown, requestId?: RequestId): void {
    const group = (data as { group?: unknown } | null)?.group;
    if (typeof group !== 'string') throw new ProtocolError(ErrorCode.INVALID_MESSAGE, 'join_group data must be {group: string}', { path: 'data.group' });
    this.join(session, group, requestId);
  }

  /** `leave_group {group}` -> `group_left {group, groups}`. */
  private onLeave(session: ClientSession, data: unknown, requestId?: RequestId): void {
    const group = (data as { group?: unknown } | null)?.group;
    if (typeof group !== 'string') throw new ProtocolError(ErrorCode.INVALID_MESSAGE, 'leave_group data must be {group: string}', { path: 'data.group' });
    this.deps.hub.reply(session, 'group_left', { group, groups: this.groups.leave(session, group) }, requestId);
  }

  /**
   * Sends one message to every connection in `group`.
   * @throws ProtocolError / PublishError when the spec is invalid (nothing is sent)
   */
  broadcastToGroup(group: string, spec: TargetedSpec): { type: string; recipients: number } {
    const m = targetedMessage(spec, this.deps.hub);
    return { type: m.type, recipients: sendToSessions(this.groups.members(group), m) };
  }

  /**
   * Sends one message to every `/ws/{userId}` connection of `userId`.
   * @throws ProtocolError / PublishError when the spec is invalid (nothing is sent)
   */
  sendToUser(userId: string, spec: TargetedSpec): { type: string; recipients: number } {
    const m = targetedMessage(spec, this.deps.hub);
    return { type: m.type, recipients: sendToSessions(this.users.connections(userId), m) };
  }

  /** Every group with its member count. */
  listGroups(): { group: string; members: number }[] {
    return this.groups.list();
  }

  /** Starts the system-health pushes. */
  start(): void {
    this.health.start();
  }

  /** Stops the system-health timers. */
  close(): void {
    this.health.stop();
  }
}
