import { useEffect, useState } from 'preact/hooks';
import { Console } from './console.tsx';
import { forgetToken, signIn, storedToken, type Session } from './session.ts';
import { SignIn } from './sign-in.tsx';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedToken() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = (why: string | null) => {
    forgetToken();
    setNotice(why);
    setSession(null);
  };
  const open = (token: string) => signIn(token, (detail) => signOut(`Signed out: ${detail}`)).then(setSession);

  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    open(token)
      .catch((error: Error) => signOut(error.message))
      .finally(() => setRestoring(false));
  }, []);

  if (session) return <Console session={session} onSignOut={() => signOut(null)} />;
  if (restoring) return <p class="boot-note">Signing in…</p>;
  return <SignIn notice={notice} onSubmit={open} />;
}
