// Every call goes to /api on the page's own origin: nginx sends it to Django in dev and in local-prod.
async function json(response, what) {
  if (!response.ok) {
    throw new Error(`${what} answered ${response.status}`);
  }
  return response.json();
}

const accept = { accept: 'application/json' };

/** The newest jobs in the database (GET /api/jobs). */
export async function fetchJobs(fetchImpl = globalThis.fetch) {
  const answer = await json(await fetchImpl('/api/jobs', { headers: accept }), 'GET /api/jobs');
  return answer.jobs;
}

/** Queues a Celery job for the text (POST /api/jobs); the job as Django stored it (status "queued"). */
export async function queueJob(text, fetchImpl = globalThis.fetch) {
  const response = await fetchImpl('/api/jobs', {
    method: 'POST',
    headers: { ...accept, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  return json(response, 'POST /api/jobs');
}

/** One job (GET /api/jobs/<id>): "done" with words and processedBy once the Celery worker ran it. */
export async function fetchJob(id, fetchImpl = globalThis.fetch) {
  return json(await fetchImpl(`/api/jobs/${encodeURIComponent(id)}`, { headers: accept }), `GET /api/jobs/${id}`);
}

/** Asks for the job until the worker has run it (or `attempts` answers later, the last answer). */
export async function waitForJob(id, { fetchImpl = globalThis.fetch, attempts = 60, delayMs = 500 } = {}) {
  let job = await fetchJob(id, fetchImpl);
  for (let attempt = 1; attempt < attempts && job.status !== 'done'; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    job = await fetchJob(id, fetchImpl);
  }
  return job;
}
