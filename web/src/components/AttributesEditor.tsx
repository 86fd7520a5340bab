import { ActionIcon, Button, Group, Input, Stack, Text, TextInput } from '@mantine/core';
import type { AttributeValue } from '../api/types';
import { IconPlus, IconTrash } from './icons';

export interface AttributeRow {
  key: string;
  value: string;
  /** the type the value had when loaded, so numbers and booleans stay what they were */
  type: 'string' | 'number' | 'boolean';
}

export function attributesToRows(attrs: Record<string, unknown> | undefined): AttributeRow[] {
  return Object.entries(attrs ?? {}).map(([key, v]) => ({
    key,
    value: v == null ? '' : String(v),
    type: typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string',
  }));
}

/**
 * The attributes to send. PATCH merges attributes, so keys that were there before and are
 * gone now are sent as null (removed).
 */
export function rowsToAttributes(rows: AttributeRow[], before: Record<string, unknown> = {}): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const r of rows) {
    const key = r.key.trim();
    if (!key) continue;
    if (r.type === 'number' && r.value.trim() !== '' && Number.isFinite(Number(r.value))) out[key] = Number(r.value);
    else if (r.type === 'boolean' && (r.value === 'true' || r.value === 'false')) out[key] = r.value === 'true';
    else out[key] = r.value;
  }
  for (const k of Object.keys(before)) if (!(k in out)) out[k] = null;
  return out;
}

/** Key / value rows for a record's free-form attributes. */
export function AttributesEditor({ rows, onChange, error }: { rows: AttributeRow[]; onChange(rows: AttributeRow[]): void; error?: string }) {
  const set = (i: number, patch: Partial<AttributeRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap={6}>
      <div>
        <Input.Label labelElement="div">Attributes</Input.Label>
        <Input.Description>Extra facts to target programs with, such as region or cost centre.</Input.Description>
      </div>
      {rows.length > 0 && (
        <Group gap="xs" wrap="nowrap" aria-hidden>
          <Text size="xs" fw={600} c="dimmed" style={{ flex: 1 }}>
            Name
          </Text>
          <Text size="xs" fw={600} c="dimmed" style={{ flex: 1 }}>
            Value
          </Text>
          <div style={{ width: 34 }} />
        </Group>
      )}
      {rows.map((r, i) => (
        <Group key={i} gap="xs" wrap="nowrap" mt={-2}>
          {/* The column headings above are the visible labels; each input also names its row. */}
          <TextInput aria-label={`Attribute ${i + 1} name`} placeholder="e.g. region" value={r.key} onChange={(e) => set(i, { key: e.currentTarget.value })} style={{ flex: 1 }} size="sm" />
          <TextInput aria-label={`Attribute ${i + 1} value`} placeholder="e.g. EMEA" value={r.value} onChange={(e) => set(i, { value: e.currentTarget.value })} style={{ flex: 1 }} size="sm" />
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label={`Remove attribute ${r.key || i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      {error && (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      )}
      <div>
        <Button variant="subtle" size="compact-sm" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rows, { key: '', value: '', type: 'string' }])}>
          Add attribute
        </Button>
      </div>
    </Stack>
  );
}
