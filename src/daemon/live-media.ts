// The heartbeat media open right now, by id: opened at start, added and closed by a reload
// (reload.ts), and the daemon's packet sink (every packet the core sends goes out here).
import type { MediumId } from '../config/types.js';
import type { Transport } from '../transport/transport.js';
import type { EventLog } from './event-log.js';
import type { PacketSink } from './driver.js';

export class LiveMedia implements PacketSink {
  readonly byId = new Map<MediumId, Transport>();

  constructor(
    public list: readonly Transport[],
    private readonly log: Pick<EventLog, 'log'>,
  ) {
    for (const t of list) {
      this.byId.set(t.id, t);
      log.log('info', 'medium open', { medium: t.id, how: t.description });
    }
  }

  add(opened: readonly Transport[]): void {
    this.list = [...this.list, ...opened];
    for (const t of opened) {
      this.byId.set(t.id, t);
      this.log.log('info', 'medium open', { medium: t.id, how: t.description });
    }
  }

  /** The core's packets: on one medium, or on every medium (undefined). */
  send(medium: MediumId | undefined, bytes: Uint8Array): void {
    if (medium === undefined) for (const t of this.list) t.send(bytes);
    else {
      const t = this.byId.get(medium);
      if (t) t.send(bytes);
      else this.log.log('error', 'core asked to send on an unknown medium', { medium });
    }
  }

  async remove(ids: readonly MediumId[]): Promise<void> {
    const going = this.list.filter((t) => ids.includes(t.id));
    this.list = this.list.filter((t) => !ids.includes(t.id));
    for (const t of going) this.byId.delete(t.id);
    await Promise.all(going.map((t) => t.close()));
    for (const t of going) this.log.log('info', 'medium closed', { medium: t.id });
  }
}
