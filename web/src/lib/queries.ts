import { useRef } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { accountsApi, peopleApi, teamsApi } from '../api/endpoints';
import type { Person, Team } from '../api/types';

/** Every team of the workspace (the tree is small enough to hold in full). */
export function useTeams(enabled = true) {
  return useQuery({ queryKey: ['teams', 'all'], queryFn: teamsApi.all, enabled });
}

export function teamPaths(teams: Team[] | undefined) {
  const byId = new Map((teams ?? []).map((t) => [t.id, t]));
  const path = (t: Team) => {
    const names = [t.name];
    let p = t.parentId ? byId.get(t.parentId) : undefined;
    for (let n = 0; p && n < 50; n++, p = p.parentId ? byId.get(p.parentId) : undefined) names.unshift(p.name);
    return names.join(' › ');
  };
  return new Map((teams ?? []).map((t) => [t.id, path(t)]));
}

/** A map by id that keeps its identity while the records do not change. */
function useStableMap<T extends { id: string }>(records: (T | undefined)[]) {
  const ref = useRef<{ key: (T | undefined)[]; map: Map<string, T> } | null>(null);
  if (!ref.current || ref.current.key.length !== records.length || ref.current.key.some((r, i) => r !== records[i])) {
    ref.current = { key: records, map: new Map(records.filter((r): r is T => !!r).map((r) => [r.id, r])) };
  }
  return ref.current.map;
}

const unique = (ids: (string | null | undefined)[]) => [...new Set(ids.filter((x): x is string => !!x))].sort();

/** People by id (for names next to ids); each is fetched once and cached. */
export function usePeopleByIds(ids: (string | null | undefined)[], enabled = true) {
  const list = unique(ids);
  const results = useQueries({
    queries: list.map((id) => ({ queryKey: ['people', 'one', id], queryFn: () => peopleApi.get(id), enabled, staleTime: 60_000 })),
  });
  return useStableMap(results.map((r) => r.data));
}

export function useAccountsByIds(ids: (string | null | undefined)[], enabled = true) {
  const list = unique(ids);
  const results = useQueries({
    queries: list.map((id) => ({ queryKey: ['accounts', 'one', id], queryFn: () => accountsApi.get(id), enabled, staleTime: 60_000 })),
  });
  return useStableMap(results.map((r) => r.data));
}

export const personLabel = (p: Pick<Person, 'name' | 'externalId' | 'erasedAt'>) => (p.erasedAt ? 'Erased person' : (p.name ?? p.externalId));
