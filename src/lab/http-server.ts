// A tiny HTTP service for the lab: answers every request with this node's name.
// Usage (inside a node namespace): node http-server.js PORT NAME [HOST] [WATCH_PID]
// With WATCH_PID the server exits when that process is gone (the loopback demo: a service dies
// with the daemon that started it, as it would with a crashed host).
import http from 'node:http';

const port = Number(process.argv[2] ?? 80);
const name = process.argv[3] ?? 'unknown';
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(name);
});
server.listen(port, process.argv[4] ?? '0.0.0.0');
const watchPid = Number(process.argv[5] ?? 0);
if (process.argv[5] !== undefined && !(watchPid > 1)) process.exit(1);
if (watchPid > 1) {
  setInterval(() => {
    try {
      process.kill(watchPid, 0);
    } catch {
      process.exit(0);
    }
  }, 100);
}
process.on('SIGTERM', () => server.close(() => process.exit(0)));
