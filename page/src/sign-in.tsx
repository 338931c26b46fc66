import { useState } from 'preact/hooks';
import { ApiError } from './api.ts';

interface Props {
  readonly notice: string | null;
  readonly onSubmit: (token: string) => Promise<void>;
}

export function SignIn({ notice, onSubmit }: Props) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(token.trim());
    } catch (failure) {
      setError(inPlainWords(failure as Error));
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">passthru</h1>
        <p class="muted">Which PCI devices of this Xen host dom0 keeps, and which it leaves for passthrough.</p>
        {notice && <p class="notice">{notice}</p>}
        <label for="token">Access token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" class="help">
          The admin token is in <code>var/token</code> of the service's data dir; <code>passthru token add</code> makes
          more. It is kept for this tab only.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

/** Why a sign-in failed, as someone new to the service can act on it; the service's words last, for the details. */
function inPlainWords(failure: Error): string {
  if (!(failure instanceof ApiError)) return `Signing in failed: ${failure.message}.`;
  if (failure.status === 401) {
    // The service's own words say why (wrong, or revoked): said once, then what to do.
    return `This token was not accepted: ${failure.message}. Paste the token again (the admin token is in the file token of the service's data dir), or ask for a new one.`;
  }
  if (failure.status === 0) {
    return `The service did not answer: check that passthru serve is running, then try again. (${failure.message})`;
  }
  return `The service could not sign you in (${failure.message}).`;
}
