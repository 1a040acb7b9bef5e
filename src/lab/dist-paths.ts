// Where the compiled project is: tests, the bench and the lab start `hbts` from dist/ by path.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ root of the compiled project (this file is dist/src/lab/dist-paths.js). */
export const distRoot = join(here, '..', '..');
export const hbtsMain = join(distRoot, 'src', 'cli', 'main.js');
