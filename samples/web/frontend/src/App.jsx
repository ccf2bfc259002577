import { useEffect, useState } from 'react';
import { fetchGreeting } from './api.js';
import { describeGreeting, headline } from './greeting.js';

export function App({ initialAnswer = null }) {
  const [answer, setAnswer] = useState(initialAnswer);
  const [name, setName] = useState('');
  const [error, setError] = useState(null);

  async function load(who) {
    try {
      setAnswer(await fetchGreeting(who));
      setError(null);
    } catch (failure) {
      setError(failure.message);
    }
  }

  useEffect(() => {
    load('');
  }, []);

  return (
    <main>
      <h1 data-testid="headline">{headline}</h1>
      <p data-testid="greeting">{error ?? describeGreeting(answer)}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          load(name);
        }}
      >
        <label>
          Your name <input value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit">Greet me</button>
      </form>
    </main>
  );
}
