/**
 * The per-user channel directory: the open `/ws/{user_id}` connections of each user, for targeted
 * sends (`POST /api/v1/users/{user_id}/send`, `Channels.sendToUser`).
 */
import type { ClientSession } from '@tablecast/gateway';

/** user id -> that user's `/ws/{user_id}` connections. */
export class UserDirectory {
  private readonly users = new Map<string, Set<ClientSession>>();

  /** Registers a connection of `userId`; it is removed when its socket closes. */
  add(userId: string, session: ClientSession): void {
    let set = this.users.get(userId);
    if (!set) {
      set = new Set();
      this.users.set(userId, set);
    }
    set.add(session);
    session.ws.once('close', () => {
      set.delete(session);
      if (set.size === 0 && this.users.get(userId) === set) this.users.delete(userId);
    });
  }

  /** Open connections of `userId`. */
  connections(userId: string): ClientSession[] {
    return [...(this.users.get(userId) ?? [])].filter((s) => !s.closed);
  }

  /** Number of users with at least one connection. */
  get size(): number {
    return this.users.size;
  }
}
