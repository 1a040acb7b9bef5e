// What the supervisor (supervisor.ts) and its daemon child say to each other over the Node IPC
// channel the supervisor opens, and the child's end of it. The child tells the supervisor when it
// is running (media open, control socket listening, first heartbeat sent) and when a shutdown was
// asked of it on the control socket (so its exit is not taken for a crash), and when it committed
// a reload (the supervisor then reads the same files: it stops the groups itself if the daemon
// dies for good, so it must know the groups and timings in force). The supervisor tells
// the child nothing: signals are forwarded as signals. When the channel closes under a running
// child, the supervisor is gone: nothing would stop this node's groups if the daemon died now.

/** The internal flag the supervisor adds to the daemon's argv; not for users. */
export const SUPERVISED_CHILD_FLAG = 'supervised-child';
export const SUPERVISOR_PID_FILE_NAME = 'hbts-supervisor.pid';

export type ChildMessage =
  | { readonly kind: 'ready'; readonly pid: number }
  | { readonly kind: 'stopping' }
  | { readonly kind: 'reloaded' };

export function isChildMessage(v: unknown): v is ChildMessage {
  if (typeof v !== 'object' || v === null) return false;
  const kind = (v as { kind?: unknown }).kind;
  return kind === 'ready' || kind === 'stopping' || kind === 'reloaded';
}

/** The child's end; undefined when this process was not started with an IPC channel. */
export class SupervisorLink {
  private lost = false;
  private onLostCallback: (() => void) | undefined;

  private constructor(private readonly send: (m: ChildMessage) => void) {
    // watched from the start: the supervisor may die while the daemon is still starting
    process.once('disconnect', () => {
      this.lost = true;
      this.onLostCallback?.();
    });
  }

  static connect(): SupervisorLink | undefined {
    const send = process.send?.bind(process);
    if (send === undefined || !process.connected) return undefined;
    // the channel must not keep the daemon's event loop alive after it has finished
    process.channel?.unref();
    return new SupervisorLink((m) => {
      if (process.connected) send(m, undefined, undefined, () => undefined);
    });
  }

  ready(): void {
    this.send({ kind: 'ready', pid: process.pid });
  }

  stopping(): void {
    this.send({ kind: 'stopping' });
  }

  reloaded(): void {
    this.send({ kind: 'reloaded' });
  }

  /** Called once when the supervisor goes away (its end of the channel closed), at once if it has. */
  onLost(callback: () => void): void {
    this.onLostCallback = callback;
    if (this.lost) callback();
  }
}
