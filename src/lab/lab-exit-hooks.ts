// The labs still alive in this process, and the hooks that remove them when a test dies half-way:
// on 'exit' always, on SIGINT/SIGTERM unless the caller (the demo) handles those signals itself.

/** What a hook needs of a lab: removing everything it made, synchronously. */
export interface SyncCleanup {
  cleanupSync(): void;
}

const liveLabs = new Set<SyncCleanup>();
let hooksInstalled = false;
let signalHooksInstalled = false;

export function installLabExitHooks(signals: boolean): void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', () => {
      for (const lab of liveLabs) lab.cleanupSync();
    });
  }
  if (!signals || signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const lab of liveLabs) lab.cleanupSync();
      process.exit(130);
    });
  }
}

/** A lab from its creation until its cleanup: the hooks clean it up if the process ends first. */
export function addLiveLab(lab: SyncCleanup): void {
  liveLabs.add(lab);
}

export function removeLiveLab(lab: SyncCleanup): void {
  liveLabs.delete(lab);
}
