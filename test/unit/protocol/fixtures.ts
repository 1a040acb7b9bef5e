// Recorded Heartbeat 3.0.6 packets (test/fixtures/heartbeat/, written by scripts/record-fixtures.sh).
// Returns an empty list until the fixtures exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FixturePacket {
  readonly file: string;
  readonly bytes: Buffer;
}

export const FIXTURE_DIR = fileURLToPath(new URL('../../../../test/fixtures/heartbeat/', import.meta.url));

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (!name.endsWith('.json') && !name.endsWith('.md') && !name.endsWith('.pcap')) out.push(p);
  }
  return out;
}

export function fixturePackets(): FixturePacket[] {
  if (!existsSync(FIXTURE_DIR)) return [];
  return walk(FIXTURE_DIR).map((p) => ({ file: relative(FIXTURE_DIR, p), bytes: readFileSync(p) }));
}
