import { useState, type FormEvent } from 'react';
import { Button, Group, Input, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { peopleApi } from '../api/endpoints';
import type { CreatePerson, Person, PersonKind, Status } from '../api/types';
import { KIND_LABELS } from '../lib/format';
import { AttributesEditor, attributesToRows, rowsToAttributes, type AttributeRow } from './AttributesEditor';
import { ErrorAlert, fieldError } from './ErrorAlert';
import { AccountSelect, TeamSelect } from './Pickers';

const SHOWN = ['kind', 'externalId', 'name', 'email', 'teamId', 'teamExternalId', 'accountId', 'accountExternalId', 'hireDate', 'status', 'attributes'];

/** Create a person, or edit one (PATCH). */
export function PersonForm({ person, defaults, onDone, onCancel }: { person?: Person; defaults?: Partial<CreatePerson>; onDone(p: Person): void; onCancel(): void }) {
  const qc = useQueryClient();
  const [kind, setKind] = useState<PersonKind>(person?.kind ?? defaults?.kind ?? 'employee');
  const [externalId, setExternalId] = useState(person?.externalId ?? '');
  const [name, setName] = useState(person?.name ?? '');
  const [email, setEmail] = useState(person?.email ?? '');
  const [teamId, setTeamId] = useState<string | null>(person?.teamId ?? defaults?.teamId ?? null);
  const [accountId, setAccountId] = useState<string | null>(person?.accountId ?? defaults?.accountId ?? null);
  const [hireDate, setHireDate] = useState(person?.hireDate ?? '');
  const [status, setStatus] = useState<Status>(person?.status ?? 'active');
  const [attrs, setAttrs] = useState<AttributeRow[]>(attributesToRows(person?.attributes));

  const save = useMutation({
    mutationFn: () => {
      const employee = kind === 'employee';
      const body: CreatePerson = {
        kind,
        externalId: externalId.trim(),
        name: name.trim(),
        email: email.trim() || null,
        teamId: employee ? teamId : null,
        accountId: employee ? null : accountId,
        hireDate: employee && hireDate ? hireDate : null,
        status,
        attributes: rowsToAttributes(attrs, person?.attributes),
      };
      return person ? peopleApi.update(person.id, body) : peopleApi.create(body);
    },
    onSuccess: (p) => {
      qc.setQueryData(['people', 'one', p.id], p);
      void qc.invalidateQueries({ queryKey: ['people'] });
      void qc.invalidateQueries({ queryKey: ['teams'] });
      onDone(p);
    },
  });
  const err = save.error;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const accountKind = kind === 'partner' ? 'partner' : 'customer';

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Stack gap={4}>
          <Input.Label id="person-kind-label" labelElement="div">
            Kind
          </Input.Label>
          <SegmentedControl
            aria-labelledby="person-kind-label"
            value={kind}
            onChange={(v) => setKind(v)}
            data={(['employee', 'customer', 'partner'] as PersonKind[]).map((k) => ({ value: k, label: KIND_LABELS[k] }))}
            fullWidth
          />
          {fieldError(err, 'kind') && (
            <Text size="xs" c="red">
              {fieldError(err, 'kind')}
            </Text>
          )}
        </Stack>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(err, 'name')} data-autofocus />
        <TextInput
          label="External ID"
          description="The ID this person has in your HR system or CRM; imports match on it."
          required
          value={externalId}
          onChange={(e) => setExternalId(e.currentTarget.value)}
          error={fieldError(err, 'externalId')}
        />
        <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(err, 'email')} />
        {kind === 'employee' ? (
          <>
            <TeamSelect label="Team" placeholder="No team" value={teamId} onChange={setTeamId} error={fieldError(err, 'teamId') ?? fieldError(err, 'teamExternalId')} />
            <TextInput label="Hire date" type="date" value={hireDate} onChange={(e) => setHireDate(e.currentTarget.value)} error={fieldError(err, 'hireDate')} w={200} />
          </>
        ) : (
          <AccountSelect
            key={accountKind}
            label={kind === 'partner' ? 'Partner account' : 'Customer account'}
            description={`The ${kind === 'partner' ? 'partner' : 'customer'} company this person belongs to`}
            required
            kind={accountKind}
            value={accountId}
            onChange={setAccountId}
            error={fieldError(err, 'accountId') ?? fieldError(err, 'accountExternalId')}
          />
        )}
        <Select
          label="Status"
          value={status}
          onChange={(v) => v && setStatus(v)}
          allowDeselect={false}
          data={[
            { value: 'active', label: 'Active' },
            { value: 'inactive', label: 'Inactive' },
          ]}
          error={fieldError(err, 'status')}
          w={200}
        />
        <AttributesEditor rows={attrs} onChange={setAttrs} error={fieldError(err, 'attributes')} />
        <ErrorAlert error={err} shown={SHOWN} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {person ? 'Save changes' : 'Add person'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
