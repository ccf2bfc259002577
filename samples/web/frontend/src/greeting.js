// The page's headline: edited by scripts/bench/hot-reload.d/web.sh to time hot module reload.
export const headline = 'Hello from the web sample';

// What the page shows of an API answer (GET /api/greeting); pure, so it is tested without a browser.
export function describeGreeting(answer) {
  if (!answer || typeof answer.message !== 'string') {
    return 'The API did not answer.';
  }
  return answer.servedBy ? `${answer.message} (served by ${answer.servedBy})` : answer.message;
}
