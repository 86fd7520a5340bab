import { useRef } from 'react';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { accountsApi, eventTypesApi, peopleApi, programsApi, teamsApi } from '../api/endpoints';
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

/** Records by id through `ids=` (100 a call); each one found also fills the one-record cache. */
function useByIdList<T extends { id: string }>(key: 'people' | 'accounts', fetch: (ids: string[]) => Promise<T[]>, ids: (string | null | undefined)[], enabled: boolean) {
  const list = unique(ids);
  const qc = useQueryClient();
  const chunks: string[][] = [];
  for (let i = 0; i < list.length; i += 100) chunks.push(list.slice(i, i + 100));
  const results = useQueries({
    queries: chunks.map((chunk) => ({
      queryKey: [key, 'ids', chunk.join(',')],
      queryFn: async () => {
        const found = await fetch(chunk);
        for (const r of found) qc.setQueryData([key, 'one', r.id], r);
        return found;
      },
      enabled: enabled && chunk.length > 0,
      staleTime: 60_000,
    })),
  });
  return useStableMap(results.flatMap((r) => r.data ?? []));
}

/** People by id in one call per 100, for lists that name many people (top earners, recipients). */
export const usePeopleByIdList = (ids: (string | null | undefined)[], enabled = true) => useByIdList('people', peopleApi.byIds, ids, enabled);
export const useAccountsByIdList = (ids: (string | null | undefined)[], enabled = true) => useByIdList('accounts', accountsApi.byIds, ids, enabled);

/** The workspace's event types (built-in and declared). */
export function useEventTypes(enabled = true) {
  return useQuery({ queryKey: ['event-types'], queryFn: eventTypesApi.all, enabled, staleTime: 5 * 60_000 });
}

/** Every program by id (for names next to ids), when the caller may read programs. */
export function useProgramsById(enabled = true) {
  const q = useQuery({ queryKey: ['programs', 'all'], queryFn: programsApi.all, enabled, staleTime: 60_000 });
  return useStableMap(q.data ?? []);
}
