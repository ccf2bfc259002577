// The page's headline: edited by the E2E test (DjangoSampleTests) to see Vite serve an edit without a rebuild.
export const headline = 'Django sample: jobs for the Celery worker';

// What the page shows of Django's answers; pure, so it is tested without a browser.

/** The database's side: how many jobs GET /api/jobs returned and how many the worker has finished. */
export function describeDatabase(jobs) {
  if (!Array.isArray(jobs)) {
    return 'Django did not answer.';
  }
  const done = jobs.filter((job) => job.status === 'done').length;
  return `${jobs.length} ${jobs.length === 1 ? 'job' : 'jobs'} in the database, ${done} done`;
}

/** A job's result as the Celery worker left it (words counted, by which code and worker), or that it waits. */
export function describeJob(job) {
  if (!job) {
    return '';
  }
  if (job.status !== 'done') {
    return `"${job.text}": queued for the worker`;
  }
  const words = `${job.words} ${job.words === 1 ? 'word' : 'words'}`;
  return job.processedBy ? `"${job.text}": ${words} (counted by ${job.processedBy})` : `"${job.text}": ${words}`;
}
