import { useEffect, useState } from 'react';
import { fetchJobs, queueJob, waitForJob } from './api.js';
import { describeDatabase, describeJob, headline } from './summary.js';

export function App({ initialJobs = null, initialJob = null }) {
  const [jobs, setJobs] = useState(initialJobs);
  const [latest, setLatest] = useState(initialJob);
  const [text, setText] = useState('count these words');
  const [error, setError] = useState(null);

  async function refresh() {
    try {
      setJobs(await fetchJobs());
      setError(null);
    } catch (failure) {
      setError(failure.message);
    }
  }

  async function submit(event) {
    event.preventDefault();
    try {
      const queued = await queueJob(text);
      setLatest(queued);
      setLatest(await waitForJob(queued.id));
      await refresh();
    } catch (failure) {
      setError(failure.message);
    }
  }

  useEffect(() => {
    refresh();
  }, []);

  return (
    <main>
      <h1 data-testid="headline">{headline}</h1>
      <p data-testid="database">{error ?? describeDatabase(jobs)}</p>
      <form onSubmit={submit}>
        <label>
          Text <input value={text} onChange={(event) => setText(event.target.value)} />
        </label>
        <button type="submit">Count its words with Celery</button>
      </form>
      <p data-testid="job">{describeJob(latest)}</p>
      <p>
        <a href="/admin/">Django admin</a>
      </p>
    </main>
  );
}
