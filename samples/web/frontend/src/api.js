// Every call goes to /api on the page's own origin: the Vite dev server proxies it in dev, nginx in production.
export async function fetchGreeting(name, fetchImpl = globalThis.fetch) {
  const query = name ? `?name=${encodeURIComponent(name)}` : '';
  const response = await fetchImpl(`/api/greeting${query}`, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`GET /api/greeting answered ${response.status}`);
  }
  return response.json();
}
