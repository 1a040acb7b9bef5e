// Questions about files on this host that config checks and the resource runner both ask, so they
// get the same answer (impure, like load*.ts: it stats the file system).
import { accessSync, constants, statSync } from 'node:fs';

/** A regular file this process may execute (Heartbeat: "first regular executable file wins"). */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
