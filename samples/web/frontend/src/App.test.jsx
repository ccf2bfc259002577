import { describe, expect, it } from 'vitest';
import { renderToString } from 'react-dom/server';
import { App } from './App.jsx';
import { fetchGreeting } from './api.js';
import { describeGreeting, headline } from './greeting.js';

describe('describeGreeting', () => {
  it('shows the message and who served it', () => {
    expect(describeGreeting({ message: 'Hello, Ada', servedBy: 'api' })).toBe('Hello, Ada (served by api)');
  });

  it('says so when the API did not answer', () => {
    expect(describeGreeting(null)).toBe('The API did not answer.');
    expect(describeGreeting({})).toBe('The API did not answer.');
  });
});

describe('fetchGreeting', () => {
  it('calls /api on the page origin with the name escaped', async () => {
    const calls = [];
    const fake = async (url) => {
      calls.push(url);
      return { ok: true, json: async () => ({ message: 'Hello, A&B' }) };
    };
    expect(await fetchGreeting('A&B', fake)).toEqual({ message: 'Hello, A&B' });
    expect(calls).toEqual(['/api/greeting?name=A%26B']);
  });

  it('fails with the status when the API answers an error', async () => {
    const fake = async () => ({ ok: false, status: 502 });
    await expect(fetchGreeting('', fake)).rejects.toThrow('502');
  });
});

describe('App', () => {
  it('renders the headline and a first answer', () => {
    const html = renderToString(<App initialAnswer={{ message: 'Hello, world', servedBy: 'api' }} />);
    expect(html).toContain(headline);
    expect(html).toContain('Hello, world (served by api)');
  });
});
