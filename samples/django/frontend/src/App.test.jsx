import { describe, expect, it } from 'vitest';
import { renderToString } from 'react-dom/server';
import { App } from './App.jsx';
import { fetchJobs, queueJob, waitForJob } from './api.js';
import { describeDatabase, describeJob, headline } from './summary.js';

const done = { id: 2, text: 'one two', status: 'done', words: 2, processedBy: 'jobs-v1@worker' };
const queued = { id: 3, text: 'three', status: 'queued', words: null, processedBy: '' };

describe('describeDatabase', () => {
  it('counts the jobs and the finished ones', () => {
    expect(describeDatabase([done, queued])).toBe('2 jobs in the database, 1 done');
    expect(describeDatabase([done])).toBe('1 job in the database, 1 done');
  });

  it('says so when Django did not answer', () => {
    expect(describeDatabase(null)).toBe('Django did not answer.');
  });
});

describe('describeJob', () => {
  it("shows the worker's result and who counted", () => {
    expect(describeJob(done)).toBe('"one two": 2 words (counted by jobs-v1@worker)');
  });

  it('says a job waits for the worker', () => {
    expect(describeJob(queued)).toBe('"three": queued for the worker');
  });
});

describe('the API calls', () => {
  it('read the jobs from /api on the page origin', async () => {
    const calls = [];
    const fake = async (url) => {
      calls.push(url);
      return { ok: true, json: async () => ({ jobs: [done] }) };
    };
    expect(await fetchJobs(fake)).toEqual([done]);
    expect(calls).toEqual(['/api/jobs']);
  });

  it('post the text as JSON and fail with the status Django answered', async () => {
    let sent;
    const accepted = async (url, init) => {
      sent = { url, method: init.method, body: JSON.parse(init.body) };
      return { ok: true, json: async () => queued };
    };
    expect(await queueJob('three', accepted)).toEqual(queued);
    expect(sent).toEqual({ url: '/api/jobs', method: 'POST', body: { text: 'three' } });
    await expect(queueJob('', async () => ({ ok: false, status: 400 }))).rejects.toThrow('400');
  });

  it('ask for a job until the worker has run it', async () => {
    const answers = [queued, queued, { ...queued, status: 'done', words: 1, processedBy: 'jobs-v1@w' }];
    const fake = async () => ({ ok: true, json: async () => answers.shift() });
    const job = await waitForJob(3, { fetchImpl: fake, delayMs: 0 });
    expect(job.status).toBe('done');
    expect(answers).toHaveLength(0);
  });
});

describe('App', () => {
  it('renders the headline, the database summary and a job result', () => {
    const html = renderToString(<App initialJobs={[done]} initialJob={done} />);
    expect(html).toContain(headline);
    expect(html).toContain('1 job in the database, 1 done');
    expect(html).toContain('counted by jobs-v1@worker');
  });
});
