import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ActionIcon, Alert, Anchor, Button, Card, Checkbox, FileButton, Group, Image, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PROVIDER_LABELS, REWARD_KIND_LABELS, rewardsApi, type Provider, type Reward, type RewardKind } from '../api/rewards';
import { moneyApi } from '../api/money';
import type { Audience } from '../api/types';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { NumField } from '../components/NumField';
import { PathErrors } from '../components/RuleBuilder';
import { IconArrowLeft, IconPlus, IconTrash, IconUpload } from '../components/icons';
import { formatDuration, formatNumber } from '../lib/format';
import { AudienceFields, useAttributeKeys } from './ProgramEditorPage';
import NotFoundPage from './NotFoundPage';

const IMAGE_TYPES = 'image/png,image/jpeg,image/webp,image/gif';
const LIMIT_PERIODS = ['day', 'week', 'month', 'quarter', 'year', 'ever'];
/** What each provider promises when the reward says nothing (as the API defaults). */
const DEFAULT_PROMISE: Record<Provider, number> = { codes: 5, webhook: 3 * 24 * 60, manual: 10 * 24 * 60 };

interface VariantDraft {
  id?: string;
  name: string;
  stock: number | null;
}
interface Draft {
  title: string;
  description: string;
  kind: RewardKind;
  category: string;
  cost: number | undefined;
  stock: number | null;
  variants: VariantDraft[];
  limit: { count: number; per: string } | null;
  availableFrom: string;
  availableUntil: string;
  audience: Audience;
  requiresApproval: boolean;
  ships: boolean;
  provider: Provider;
  promisedDeliveryMinutes: number;
  status: Reward['status'];
}

/** "10 days", "3 hours", "5 minutes". */
const promiseLabel = (minutes: number) => (minutes >= 2 * 24 * 60 ? `${formatNumber(minutes / 1440, 1)} days` : formatDuration(minutes * 60));

const pad = (n: number) => String(n).padStart(2, '0');
function isoToLocalInput(iso: string | null) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const localInputToIso = (v: string) => (v ? new Date(v).toISOString() : null);

const blank = (): Draft => ({ title: '', description: '', kind: 'merchandise', category: '', cost: undefined, stock: null, variants: [], limit: null, availableFrom: '', availableUntil: '', audience: {}, requiresApproval: false, ships: true, provider: 'manual', promisedDeliveryMinutes: DEFAULT_PROMISE.manual, status: 'active' });

const fromReward = (r: Reward): Draft => ({
  title: r.title,
  description: r.description,
  kind: r.kind,
  category: r.category ?? '',
  cost: r.cost,
  stock: r.variants.some((v) => v.active) ? null : r.stock,
  variants: r.variants.filter((v) => v.active).map((v) => ({ id: v.id, name: v.name, stock: v.stock })),
  limit: r.limit,
  availableFrom: isoToLocalInput(r.availableFrom),
  availableUntil: isoToLocalInput(r.availableUntil),
  audience: r.audience,
  requiresApproval: r.requiresApproval,
  ships: r.ships,
  provider: r.provider,
  promisedDeliveryMinutes: r.promisedDeliveryMinutes,
  status: r.status,
});

/** The body the API takes: variants keep their ids, so their stock and orders stay theirs. */
const toBody = (d: Draft) => ({
  title: d.title,
  description: d.description,
  kind: d.kind,
  category: d.category.trim() || null,
  cost: d.cost as number,
  stock: d.variants.length ? null : d.stock,
  variants: d.variants.map((v) => ({ ...(v.id ? { id: v.id } : {}), name: v.name, stock: v.stock })),
  limit: d.limit,
  availableFrom: localInputToIso(d.availableFrom),
  availableUntil: localInputToIso(d.availableUntil),
  audience: d.audience,
  requiresApproval: d.requiresApproval,
  ships: d.ships,
  provider: d.provider,
  promisedDeliveryMinutes: d.promisedDeliveryMinutes,
  status: d.status,
});

/** A stock: unlimited, or a count. */
function StockField({ label, value, onChange, error }: { label: string; value: number | null; onChange(v: number | null): void; error?: string }) {
  return (
    <Group gap="sm" align="flex-end" wrap="nowrap">
      <NumField label={label} min={0} value={value} onChange={(v) => onChange(v ?? 0)} disabled={value === null} error={error} w={160} />
      <Checkbox label="Unlimited" checked={value === null} onChange={(e) => onChange(e.currentTarget.checked ? null : 0)} mb={8} />
    </Group>
  );
}

function ImagesCard({ reward, pending, onPending }: { reward?: Reward; pending: File[]; onPending(f: File[]): void }) {
  const qc = useQueryClient();
  const done = (r: Reward) => {
    qc.setQueryData(['rewards', 'one', r.id], r);
    void qc.invalidateQueries({ queryKey: ['rewards', 'admin'] });
  };
  const upload = useMutation({ mutationFn: (f: File) => rewardsApi.upload(reward!.id, f), onSuccess: done });
  const remove = useMutation({ mutationFn: (imageId: string) => rewardsApi.deleteImage(reward!.id, imageId), onSuccess: done });
  const previews = useMemo(() => pending.map((f) => ({ f, url: URL.createObjectURL(f) })), [pending]);
  useEffect(() => () => previews.forEach((p) => URL.revokeObjectURL(p.url)), [previews]);
  const tiles = reward ? reward.images.map((i) => ({ key: i.id, url: i.url, onDelete: () => remove.mutate(i.id) })) : previews.map((p, i) => ({ key: `${i}`, url: p.url, onDelete: () => onPending(pending.filter((x) => x !== p.f)) }));
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Images
        </Title>
        <Text size="sm" c="dimmed">
          PNG, JPEG, WebP or GIF, at most 2 MB each. The first image is the catalog card’s.
        </Text>
        <Group gap="sm">
          {tiles.map((t, i) => (
            <Stack key={t.key} gap={4} align="center">
              <Image src={t.url} alt={`Image ${i + 1}`} w={120} h={90} radius="sm" fit="cover" />
              <Button size="compact-xs" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={t.onDelete} aria-label={`Delete image ${i + 1}`}>
                Delete
              </Button>
            </Stack>
          ))}
          {!tiles.length && (
            <Text size="sm" c="dimmed">
              No image yet.
            </Text>
          )}
        </Group>
        <Group>
          <FileButton accept={IMAGE_TYPES} onChange={(f) => f && (reward ? upload.mutate(f) : onPending([...pending, f]))}>
            {(props) => (
              <Button {...props} variant="default" leftSection={<IconUpload size={16} />} loading={upload.isPending}>
                Upload an image
              </Button>
            )}
          </FileButton>
          {!reward && pending.length > 0 && (
            <Text size="sm" c="dimmed">
              Uploaded when you create the reward.
            </Text>
          )}
        </Group>
        <ErrorAlert error={upload.error ?? remove.error} />
      </Stack>
    </Card>
  );
}

/** The admin's reward editor: a new reward (/admin/rewards/new) or one of the catalog. */
export default function RewardEditorPage() {
  const { id } = useParams();
  const one = useQuery({ queryKey: ['rewards', 'one', id], queryFn: () => moneyApi.reward(id!), enabled: !!id });
  if (id && one.isPending) return <PageLoader />;
  if (id && one.isError) return <NotFoundPage />;
  return <Editor key={one.data?.id ?? 'new'} reward={one.data} />;
}

function Editor({ reward }: { reward?: Reward }) {
  const { session } = useSession();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const attributeKeys = useAttributeKeys();
  const [draft, setDraft] = useState<Draft>(() => (reward ? fromReward(reward) : blank()));
  const [pending, setPending] = useState<File[]>([]);
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useMutation({
    mutationFn: async (d: Draft) => {
      if (reward) return rewardsApi.update(reward.id, toBody(d));
      const created = await rewardsApi.create(toBody(d));
      let last = created;
      for (const f of pending) last = await rewardsApi.upload(created.id, f);
      return last;
    },
    onSuccess: (r) => {
      qc.setQueryData(['rewards', 'one', r.id], r);
      void qc.invalidateQueries({ queryKey: ['rewards', 'admin'] });
      void navigate('/admin/rewards');
    },
  });
  const errors = useMemo(() => new PathErrors(save.error), [save.error]);
  const err = (p: string) => errors.within(p).map((f) => (f.path === p ? f.message : `${f.path.slice(p.length + 1)}: ${f.message}`)).join('; ') || undefined;
  const shown = ['title', 'description', 'kind', 'category', 'cost', 'stock', 'variants', 'limit', 'availableFrom', 'availableUntil', 'audience', 'provider', 'promisedDeliveryMinutes', 'status'];
  const points = session.workspace.pointsLabel;
  const fulfilment = reward && (reward.provider === 'codes' || reward.provider === 'webhook');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(draft);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="lg" maw={920}>
        <Anchor component={Link} to="/admin/rewards" size="sm">
          <Group gap={4}>
            <IconArrowLeft size={14} /> Reward catalog
          </Group>
        </Anchor>
        <Group justify="space-between" align="flex-end">
          <Title order={1} size="h2">
            {reward ? `Edit ${reward.title}` : 'New reward'}
          </Title>
          {fulfilment && (
            <Button variant="default" component={Link} to={`/admin/rewards/${reward.id}/fulfilment`}>
              Codes &amp; vendor
            </Button>
          )}
        </Group>
        <ErrorAlert error={save.error} shown={shown} />
        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Title order={2} size="h4">
              The reward
            </Title>
            <TextInput label="Title" required value={draft.title} onChange={(e) => update({ title: e.currentTarget.value })} error={err('title')} maxLength={120} />
            <Textarea label="Description" description="What the participant gets, and anything they should know" autosize minRows={3} value={draft.description} onChange={(e) => update({ description: e.currentTarget.value })} error={err('description')} />
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
              <Select
                label="Kind"
                required
                allowDeselect={false}
                data={Object.entries(REWARD_KIND_LABELS).map(([value, label]) => ({ value, label }))}
                value={draft.kind}
                onChange={(v) => v && update({ kind: v as RewardKind, ...(reward ? {} : { ships: v === 'merchandise' || v === 'recognition_award', provider: v === 'gift_card' ? 'codes' : 'manual', promisedDeliveryMinutes: DEFAULT_PROMISE[v === 'gift_card' ? 'codes' : 'manual'] }) })}
                error={err('kind')}
              />
              <TextInput label="Category" description="A filter in the catalog, e.g. Electronics" value={draft.category} onChange={(e) => update({ category: e.currentTarget.value })} error={err('category')} />
              <NumField label={`Cost (${points})`} required min={1} value={draft.cost} onChange={(v) => update({ cost: v })} error={err('cost')} />
            </SimpleGrid>
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Status
              </Text>
              <SegmentedControl
                aria-label="Status"
                w="fit-content"
                value={draft.status}
                onChange={(v) => update({ status: v })}
                data={[
                  { value: 'draft', label: 'Draft' },
                  { value: 'active', label: 'Active' },
                  { value: 'archived', label: 'Archived' },
                ]}
              />
              <Text size="xs" c="dimmed">
                Participants see active rewards only.
              </Text>
            </Stack>
          </Stack>
        </Card>

        <ImagesCard reward={reward} pending={pending} onPending={setPending} />

        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Title order={2} size="h4">
              Stock and limits
            </Title>
            {draft.variants.length === 0 ? (
              <StockField label="Stock" value={draft.stock} onChange={(stock) => update({ stock })} error={err('stock')} />
            ) : (
              <Text size="sm" c="dimmed">
                Each variant has its own stock.
              </Text>
            )}
            {draft.variants.map((v, i) => (
              <Group key={v.id ?? `new-${i}`} gap="sm" align="flex-end" role="group" aria-label={`Variant ${i + 1}`}>
                <TextInput label="Variant" placeholder="e.g. Size M" value={v.name} onChange={(e) => update({ variants: draft.variants.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)) })} error={err(`variants.${i}.name`)} />
                <StockField label="Its stock" value={v.stock} onChange={(stock) => update({ variants: draft.variants.map((x, j) => (j === i ? { ...x, stock } : x)) })} error={err(`variants.${i}.stock`)} />
                <ActionIcon variant="subtle" color="gray" mb={6} aria-label={`Remove variant ${i + 1}`} onClick={() => update({ variants: draft.variants.filter((_, j) => j !== i) })}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            {errors.at('variants') && (
              <Text size="sm" c="red">
                {errors.at('variants')}
              </Text>
            )}
            <Button variant="subtle" w="fit-content" leftSection={<IconPlus size={16} />} onClick={() => update({ variants: [...draft.variants, { name: '', stock: 0 }] })}>
              Add a variant (size, colour…)
            </Button>
            <Group gap="sm" align="flex-end">
              <Checkbox label="Limit per person" checked={!!draft.limit} onChange={(e) => update({ limit: e.currentTarget.checked ? { count: 1, per: 'month' } : null })} mb={8} />
              {draft.limit && (
                <>
                  <NumField label="At most" min={1} w={110} value={draft.limit.count} onChange={(v) => update({ limit: { ...draft.limit!, count: v ?? 1 } })} error={err('limit.count')} />
                  <Select label="Per" w={140} allowDeselect={false} data={LIMIT_PERIODS.map((p) => ({ value: p, label: p === 'ever' ? 'in all' : p }))} value={draft.limit.per} onChange={(v) => v && update({ limit: { ...draft.limit!, per: v } })} />
                </>
              )}
            </Group>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput type="datetime-local" label="Available from" description="Empty: from now" value={draft.availableFrom} onChange={(e) => update({ availableFrom: e.currentTarget.value })} error={err('availableFrom')} />
              <TextInput type="datetime-local" label="Available until" description="Empty: no end" value={draft.availableUntil} onChange={(e) => update({ availableUntil: e.currentTarget.value })} error={err('availableUntil')} />
            </SimpleGrid>
          </Stack>
        </Card>

        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Title order={2} size="h4">
              Who may redeem it
            </Title>
            <Text size="sm" c="dimmed">
              Leave everything empty to offer it to everyone: employees, customer contacts and partner reps.
            </Text>
            <AudienceFields audience={draft.audience} onChange={(audience) => update({ audience })} errors={errors} attributeKeys={attributeKeys} />
            <Switch label="Needs approval" description="A manager or admin approves each order before it is placed" checked={draft.requiresApproval} onChange={(e) => update({ requiresApproval: e.currentTarget.checked })} />
          </Stack>
        </Card>

        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Title order={2} size="h4">
              Fulfilment
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Select
                label="Provider"
                allowDeselect={false}
                data={Object.entries(PROVIDER_LABELS).map(([value, label]) => ({ value, label }))}
                value={draft.provider}
                onChange={(v) => v && update({ provider: v as Provider, promisedDeliveryMinutes: DEFAULT_PROMISE[v as Provider] })}
                error={err('provider')}
              />
              <NumField
                label="Promised delivery (minutes)"
                description={draft.promisedDeliveryMinutes ? `That is ${promiseLabel(draft.promisedDeliveryMinutes)}` : undefined}
                min={1}
                value={draft.promisedDeliveryMinutes}
                onChange={(v) => update({ promisedDeliveryMinutes: v ?? 1 })}
                error={err('promisedDeliveryMinutes')}
              />
            </SimpleGrid>
            <Switch label="Ships" description="A redemption asks for a shipping address" checked={draft.ships} onChange={(e) => update({ ships: e.currentTarget.checked })} />
            {fulfilment && (
              <Alert variant="light" color="blue">
                {reward.provider === 'codes' ? 'Upload the gift-card codes this reward hands out' : 'Set up the vendor this reward’s orders are sent to'} under <Anchor component={Link} to={`/admin/rewards/${reward.id}/fulfilment`}>Codes &amp; vendor</Anchor>.
              </Alert>
            )}
          </Stack>
        </Card>

        <Group>
          <Button type="submit" loading={save.isPending}>
            {reward ? 'Save changes' : 'Create reward'}
          </Button>
          <Button variant="default" component={Link} to="/admin/rewards">
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
