import { useMemo, useState } from 'react';
import { MultiSelect, Select, type MultiSelectProps, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { accountsApi, peopleApi } from '../api/endpoints';
import type { AccountKind, PersonKind } from '../api/types';
import { personLabel, teamPaths, useAccountsByIds, usePeopleByIds, useTeams } from '../lib/queries';

type Common = Omit<SelectProps, 'data' | 'value' | 'onChange'> & { value: string | null; onChange(v: string | null): void };

/** The clear button says what it clears ("Clear team"), for screen readers and tests. */
export const clearProps = (label: unknown) => ({ 'aria-label': typeof label === 'string' ? `Clear ${label.toLowerCase()}` : 'Clear', 'aria-hidden': false, tabIndex: 0 });

/** A team, chosen from the whole tree (labels show the path: Sales › Sales East). */
export function TeamSelect({ value, onChange, exclude = [], ...rest }: Common & { exclude?: string[] }) {
  const teams = useTeams();
  const data = useMemo(() => {
    const paths = teamPaths(teams.data);
    return [...paths.entries()]
      .filter(([id]) => !exclude.includes(id))
      .map(([id, label]) => ({ value: id, label }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [teams.data, exclude]);
  return <Select searchable clearable nothingFoundMessage="No team matches" clearButtonProps={clearProps(rest.label)} {...rest} data={data} value={value} onChange={(v) => onChange(v)} disabled={rest.disabled || teams.isPending} />;
}

/** Several teams, chosen from the whole tree (each counts with the teams under it where the API says so). */
export function TeamMultiSelect({ value, onChange, ...rest }: Omit<MultiSelectProps, 'data' | 'value' | 'onChange'> & { value: string[]; onChange(v: string[]): void }) {
  const teams = useTeams();
  const data = useMemo(() => {
    const paths = teamPaths(teams.data);
    const known = [...paths.entries()].map(([id, label]) => ({ value: id, label })).sort((a, b) => a.label.localeCompare(b.label));
    // Ids the tree does not hold (deleted teams) stay visible so they can be removed.
    return [...known, ...value.filter((id) => !paths.has(id)).map((id) => ({ value: id, label: id }))];
  }, [teams.data, value]);
  return <MultiSelect searchable nothingFoundMessage="No team matches" {...rest} data={data} value={value} onChange={onChange} disabled={rest.disabled || teams.isPending} />;
}

/** A person found by a search on the server (name, email or external id). */
export function PersonSelect({ value, onChange, kind, ...rest }: Common & { kind?: PersonKind }) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const found = useQuery({ queryKey: ['people', 'search', kind, q], queryFn: () => peopleApi.list({ q: q || undefined, kind, status: 'active', limit: 20 }), placeholderData: keepPreviousData });
  const current = usePeopleByIds([value]);
  const data = useMemo(() => {
    const items = new Map<string, string>();
    const cur = value ? current.get(value) : undefined;
    if (cur) items.set(cur.id, `${personLabel(cur)} (${cur.externalId})`);
    for (const p of found.data?.data ?? []) items.set(p.id, `${personLabel(p)} (${p.externalId})`);
    return [...items.entries()].map(([v, label]) => ({ value: v, label }));
  }, [found.data, current, value]);
  return (
    <Select
      searchable
      clearable
      clearButtonProps={clearProps(rest.label)}
      placeholder="Search by name, email or ID"
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'Nobody matches'}
      {...rest}
      data={data}
      value={value}
      onChange={(v) => onChange(v)}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
    />
  );
}

/** An account found by a search on the server. */
export function AccountSelect({ value, onChange, kind, ...rest }: Common & { kind?: AccountKind }) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const found = useQuery({ queryKey: ['accounts', 'search', kind, q], queryFn: () => accountsApi.list({ q: q || undefined, kind, limit: 20 }), placeholderData: keepPreviousData });
  const current = useAccountsByIds([value]);
  const data = useMemo(() => {
    const items = new Map<string, string>();
    const cur = value ? current.get(value) : undefined;
    if (cur) items.set(cur.id, `${cur.name} (${cur.externalId})`);
    for (const a of found.data?.data ?? []) items.set(a.id, `${a.name} (${a.externalId})`);
    return [...items.entries()].map(([v, label]) => ({ value: v, label }));
  }, [found.data, current, value]);
  return (
    <Select
      searchable
      clearable
      clearButtonProps={clearProps(rest.label)}
      placeholder="Search accounts"
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'No account matches'}
      {...rest}
      data={data}
      value={value}
      onChange={(v) => onChange(v)}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
    />
  );
}
