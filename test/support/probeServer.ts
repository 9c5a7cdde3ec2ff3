/**
 * A health-probe endpoint for the network labs, run inside the server namespace:
 *   node test/support/probeServer.ts HOST PORT '{"198.18.5.":"redirect","198.18.6.":"page"}'
 * Answers 204 (what a probe expects), or, for clients whose address starts with a prefix in the
 * rules, what a captive portal answers: a redirect to a sign-in page, or the page itself. Prints
 * "ready", then one JSON line per closed connection with the bytes it read and wrote.
 */
import http from 'node:http';

const [host = '198.19.0.1', port = '8204', rulesJson = '{}'] = process.argv.slice(2);
const rules = JSON.parse(rulesJson) as Record<string, 'redirect' | 'page'>;
const PAGE = `<!doctype html><title>Sign in</title><form method=post>Accept the terms to use the Wi-Fi.</form>`;

const server = http.createServer((request, response) => {
  const from = request.socket.remoteAddress ?? '';
  const rule = Object.entries(rules).find(([prefix]) => from.startsWith(prefix))?.[1];
  if (rule === 'redirect') {
    response.writeHead(302, { location: 'http://portal.lab/login?continue=generate_204' }).end();
  } else if (rule === 'page') {
    response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  } else {
    response.writeHead(204).end();
  }
});
server.on('connection', (socket) => {
  const from = socket.remoteAddress;
  socket.on('close', () =>
    process.stdout.write(
      `${JSON.stringify({ from, read: socket.bytesRead, written: socket.bytesWritten })}\n`,
    ),
  );
});
server.listen(Number(port), host, () => process.stdout.write('ready\n'));
