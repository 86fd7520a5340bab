import { createContext, useContext, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, setCsrfToken } from './api/client';
import { sessionApi } from './api/endpoints';
import type { Permission, Session } from './api/types';

export const SESSION_KEY = ['session'] as const;

/** The session, or null when signed out (401). Keeps the CSRF token for unsafe requests. */
export async function fetchSession(): Promise<Session | null> {
  try {
    const s = await sessionApi.get();
    setCsrfToken(s.csrfToken);
    return s;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export function useSessionQuery() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 5 * 60_000, retry: 1 });
}

/** Puts a session answered by the API (sign in, switch workspace) in place. */
export function useSetSession() {
  const qc = useQueryClient();
  return (s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    qc.setQueryData(SESSION_KEY, s);
  };
}

interface SessionValue {
  session: Session;
  can(p: Permission): boolean;
}
const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  const value: SessionValue = { session, can: (p) => session.permissions.includes(p) };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** Inside the signed-in shell: the session and a permission check. */
export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside the signed-in app');
  return v;
}

/** Where a signed-in person lands: the first page their permissions open. */
export function homePath(s: Session) {
  const can = (p: Permission) => s.permissions.includes(p);
  if (can('people.read')) return '/people';
  if (can('org.read')) return '/teams';
  return '/me';
}
