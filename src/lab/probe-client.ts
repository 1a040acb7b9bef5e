// The lab's VIP client: every 10 ms a fresh HTTP request (no keep-alive, so every probe goes
// through ARP/TCP afresh) with a 250 ms timeout (or TIMEOUT_MS). Prints one line per probe, in
// completion order: "<wall-clock ms when sent> <answer or ->". Usage: node probe-client.js VIP PORT [TIMEOUT_MS]
import http from 'node:http';

const vip = process.argv[2] ?? '127.0.0.1';
const port = Number(process.argv[3] ?? 80);
const timeoutMs = Number(process.argv[4] ?? 250);

function probe(): void {
  const sentMs = Date.now();
  let done = false;
  const finish = (who: string): void => {
    if (done) return;
    done = true;
    process.stdout.write(`${sentMs} ${who}\n`);
  };
  const req = http.get({ host: vip, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
    let body = '';
    res.on('data', (c: Buffer) => (body += c.toString('utf8')));
    res.on('end', () => finish(res.statusCode === 200 && /^\S+$/.test(body) ? body : '-'));
    res.on('error', () => finish('-'));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => finish('-'));
}

setInterval(probe, 10);
process.on('SIGTERM', () => process.exit(0));
