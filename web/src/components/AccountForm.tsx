import { useState, type FormEvent } from 'react';
import { Button, Group, Input, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accountsApi } from '../api/endpoints';
import type { Account, AccountKind, CreateAccount, Status } from '../api/types';
import { AttributesEditor, attributesToRows, rowsToAttributes, type AttributeRow } from './AttributesEditor';
import { ErrorAlert, fieldError } from './ErrorAlert';

/** Create an account (a customer or partner company), or edit one. */
export function AccountForm({ account, onDone, onCancel }: { account?: Account; onDone(a: Account): void; onCancel(): void }) {
  const qc = useQueryClient();
  const [kind, setKind] = useState<AccountKind>(account?.kind ?? 'customer');
  const [name, setName] = useState(account?.name ?? '');
  const [externalId, setExternalId] = useState(account?.externalId ?? '');
  const [tier, setTier] = useState(account?.tier ?? '');
  const [region, setRegion] = useState(account?.region ?? '');
  const [status, setStatus] = useState<Status>(account?.status ?? 'active');
  const [attrs, setAttrs] = useState<AttributeRow[]>(attributesToRows(account?.attributes));
  const save = useMutation({
    mutationFn: () => {
      const body: CreateAccount = {
        kind,
        name: name.trim(),
        externalId: externalId.trim(),
        tier: tier.trim() || null,
        region: region.trim() || null,
        status,
        attributes: rowsToAttributes(attrs, account?.attributes),
      };
      return account ? accountsApi.update(account.id, body) : accountsApi.create(body);
    },
    onSuccess: (a) => {
      qc.setQueryData(['accounts', 'one', a.id], a);
      void qc.invalidateQueries({ queryKey: ['accounts'] });
      onDone(a);
    },
  });
  const err = save.error;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Stack gap={4}>
          <Input.Label id="account-kind-label" labelElement="div">
            Kind
          </Input.Label>
          <SegmentedControl
            aria-labelledby="account-kind-label"
            value={kind}
            onChange={(v) => setKind(v)}
            data={[
              { value: 'customer', label: 'Customer' },
              { value: 'partner', label: 'Partner' },
            ]}
            fullWidth
          />
        </Stack>
        <TextInput label="Company name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(err, 'name')} data-autofocus />
        <TextInput label="External ID" description="The account's ID in your CRM." required value={externalId} onChange={(e) => setExternalId(e.currentTarget.value)} error={fieldError(err, 'externalId')} />
        <Group grow>
          <TextInput label="Tier" placeholder="e.g. gold" value={tier} onChange={(e) => setTier(e.currentTarget.value)} error={fieldError(err, 'tier')} />
          <TextInput label="Region" placeholder="e.g. EMEA" value={region} onChange={(e) => setRegion(e.currentTarget.value)} error={fieldError(err, 'region')} />
        </Group>
        <Select
          label="Status"
          value={status}
          onChange={(v) => v && setStatus(v)}
          allowDeselect={false}
          data={[
            { value: 'active', label: 'Active' },
            { value: 'inactive', label: 'Inactive' },
          ]}
          w={200}
        />
        <AttributesEditor rows={attrs} onChange={setAttrs} error={fieldError(err, 'attributes')} />
        <ErrorAlert error={err} shown={['kind', 'name', 'externalId', 'tier', 'region', 'status', 'attributes']} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {account ? 'Save changes' : 'Create account'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
