// The API's routes as a plain request handler (node:http alone), so tests call it without a socket.
// Behind nginx (production) and the Vite dev server (dev) it is reached as /api/...; both strip nothing, so the
// handler accepts the paths with and without the /api prefix.

const SERVED_BY = process.env.SERVED_BY || 'web-sample-api';

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

export function greet(name) {
  const who = typeof name === 'string' && name.trim() ? name.trim().slice(0, 60) : 'world';
  return { message: `Hello, ${who}`, servedBy: SERVED_BY };
}

export function handle(request, response) {
  const url = new URL(request.url, 'http://localhost');
  const path = url.pathname.replace(/^\/api(?=\/|$)/, '') || '/';
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(response, 405, { error: `${request.method} is not allowed` });
  }
  switch (path) {
    case '/healthz':
      return send(response, 200, { status: 'ok' });
    case '/greeting':
      return send(response, 200, greet(url.searchParams.get('name')));
    case '/version':
      return send(response, 200, { version: process.env.APP_VERSION || 'dev', commit: process.env.APP_COMMIT || 'unknown' });
    default:
      return send(response, 404, { error: `no route for ${url.pathname}` });
  }
}
