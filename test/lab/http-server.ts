// A tiny HTTP service for the lab: answers every request with this node's name.
// Usage (inside a node namespace): node http-server.js PORT NAME
import http from 'node:http';

const port = Number(process.argv[2] ?? 80);
const name = process.argv[3] ?? 'unknown';
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(name);
});
server.listen(port, '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
