// Starts the API on PORT (8080). SIGTERM (docker stop, Cloud Run) closes the server and lets requests finish.
import { createServer } from 'node:http';
import { handle } from './app.js';

const port = Number(process.env.PORT || 8080);
const server = createServer(handle);
server.keepAliveTimeout = 65_000;
server.listen(port, '0.0.0.0', () => {
  console.log(`web-sample-api listening on 0.0.0.0:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
