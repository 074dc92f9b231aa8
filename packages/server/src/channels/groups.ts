/**
 * Client groups (tablecast extension): named sets of connections that targeted messages can be sent
 * to (REST `POST /api/v1/groups/{group}/broadcast`, `Channels.broadcastToGroup`). A connection joins
 * with the `join_group {group}` message or the `groups=a,b` query parameter and leaves with
 * `leave_group {group}` or by disconnecting.
 */
import { ErrorCode } from '@tablecast/protocol';
import { ProtocolError, type ClientSession } from '@tablecast/gateway';

/** Valid group names: 1-64 of letters, digits, `_ . : -`. */
export const GROUP_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The group memberships of one server's connections. */
export class GroupRegistry {
  /** Sessions that ever joined or left a group. */
  private readonly touched = new WeakSet<ClientSession>();
  private readonly groups = new Map<string, Set<ClientSession>>();
  private readonly bySession = new Map<ClientSession, Set<string>>();

  /** @param maxPerSession most groups one connection may be in */
  constructor(private readonly maxPerSession: number) {}

  /**
   * Adds `session` to `group` (idempotent).
   * @returns the session's groups afterwards
   * @throws ProtocolError INVALID_MESSAGE for a bad name or when over the per-connection limit
   */
  join(session: ClientSession, group: string): string[] {
    if (!GROUP_NAME.test(group)) throw new ProtocolError(ErrorCode.INVALID_MESSAGE, 'group names are 1-64 of A-Z a-z 0-9 _ . : -', { group: group.slice(0, 64) });
    let mine = this.bySession.get(session);
    if (!mine) {
      mine = new Set();
      this.bySession.set(session, mine);
      session.ws.once('close', () => this.leaveAll(session));
    }
    if (!mine.has(group)) {
      if (mine.size >= this.maxPerSession) {
        throw new ProtocolError(ErrorCode.INVALID_MESSAGE, `a connection may be in at most ${this.maxPerSession} groups`, { group, max: this.maxPerSession });
      }
      mine.add(group);
      let members = this.groups.get(group);
      if (!members) {
        members = new Set();
        this.groups.set(group, members);
      }
      members.add(session);
    }
    return this.sync(session);
  }

  /** Removes `session` from `group` (no-op when not a member). @returns the session's groups afterwards */
  leave(session: ClientSession, group: string): string[] {
    const mine = this.bySession.get(session);
    if (mine?.delete(group)) {
      const members = this.groups.get(group);
      members?.delete(session);
      if (members?.size === 0) this.groups.delete(group);
    }
    return this.sync(session);
  }

  /** Removes `session` from every group. */
  leaveAll(session: ClientSession): void {
    for (const g of [...(this.bySession.get(session) ?? [])]) this.leave(session, g);
    this.bySession.delete(session);
  }

  /** Open connections of `group`. */
  members(group: string): ClientSession[] {
    return [...(this.groups.get(group) ?? [])].filter((s) => !s.closed);
  }

  /** Groups of `session`. */
  groupsOf(session: ClientSession): string[] {
    return [...(this.bySession.get(session) ?? [])];
  }

  /** Every group with its member count. */
  list(): { group: string; members: number }[] {
    return [...this.groups].map(([group, m]) => ({ group, members: m.size }));
  }

  /** `{groups}` for a session that ever joined or left one (get_status details), else `{}`. */
  describe(session: ClientSession): { groups?: string[] } {
    return this.touched.has(session) ? { groups: this.groupsOf(session) } : {};
  }

  private sync(session: ClientSession): string[] {
    this.touched.add(session);
    return this.groupsOf(session);
  }
}
