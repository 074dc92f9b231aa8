/**
 * A fixed-capacity ring buffer for the worker -> main-loop hand-off. When full, pushing drops the
 * OLDEST item and counts it, so the buffer never grows and the loop always sees the newest data.
 */

/** Bounded FIFO that overwrites its oldest entry when full. */
export class HandoffRing<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private size = 0;
  private droppedCount = 0;

  /**
   * @param capacity maximum number of buffered items (>= 1)
   * @throws RangeError when capacity is not a positive integer
   */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`handoff capacity must be a positive integer (got ${capacity})`);
    this.items = new Array<T | undefined>(capacity);
  }

  /** Adds an item; returns the dropped oldest item when the ring was full, else undefined. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.size === this.capacity) {
      dropped = this.items[this.head];
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      this.droppedCount++;
    }
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return dropped;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }

  /** Removes and returns every buffered item, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  /** Number of buffered items. */
  get length(): number {
    return this.size;
  }

  /** Items dropped because the ring was full, since construction. */
  get dropped(): number {
    return this.droppedCount;
  }
}
