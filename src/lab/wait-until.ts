// Waiting in lab tests, the bench and the demo: a plain sleep, and polling a condition with a deadline.
import { LabTimeoutError } from './errors.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every `stepMs` (longer for conditions that run a command) until true or timeout. */
export async function waitUntil(
  what: string,
  cond: () => boolean,
  timeoutMs: number,
  stepMs = 20,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new LabTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}
