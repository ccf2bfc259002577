import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greet, handle } from './app.js';

let server;
let base;

beforeAll(async () => {
  server = createServer(handle).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${server.address().port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('greet', () => {
  it('greets the world without a name', () => {
    expect(greet('').message).toBe('Hello, world');
  });

  it('trims and shortens a name', () => {
    expect(greet(`  ${'a'.repeat(100)} `).message).toBe(`Hello, ${'a'.repeat(60)}`);
  });
});

describe('the server', () => {
  it('answers /api/greeting as nginx and Vite forward it', async () => {
    const response = await fetch(`${base}/api/greeting?name=Ada`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ message: 'Hello, Ada' });
  });

  it('answers /healthz without the prefix', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 404 for an unknown route and 405 for a POST', async () => {
    expect((await fetch(`${base}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/api/greeting`, { method: 'POST' })).status).toBe(405);
  });
});
