import { useState } from 'react';
import { ActionIcon, Alert, AspectRatio, Badge, Button, Card, Center, Group, Image, Progress, SegmentedControl, SimpleGrid, Stack, Switch, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { catalogApi, REWARD_KIND_LABELS, type CatalogItem, type RewardKind } from '../api/rewards';
import { ApiError } from '../api/client';
import { useSession } from '../session';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatPoints } from '../lib/format';
import { RedeemModal } from '../components/RedeemModal';
import { Link } from 'react-router';

export const KIND_COLORS: Record<RewardKind, string> = {
  gift_card: 'teal',
  merchandise: 'indigo',
  experience: 'grape',
  donation: 'pink',
  time_off: 'cyan',
  custom_perk: 'orange',
  recognition_award: 'yellow',
};

/** Minutes as what a person expects: "within 5 minutes", "within 3 days". */
export function promise(minutes: number) {
  if (minutes < 60) return `within ${minutes} minutes`;
  if (minutes < 48 * 60) return `within ${Math.round(minutes / 60)} hours`;
  return `within ${Math.round(minutes / 1440)} days`;
}

export function Heart({ filled }: { filled: boolean }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="2" aria-hidden>
      <path d="M20.8 4.6a5.5 5.5 0 0 0-7.8 0L12 5.7l-1-1.1a5.5 5.5 0 0 0-7.8 7.8l1 1.1L12 21l7.8-7.5 1-1.1a5.5 5.5 0 0 0 0-7.8z" />
    </svg>
  );
}

function RewardCard({ r, balance, label, onWish, onRedeem, busy }: { r: CatalogItem; balance: number; label: string; onWish(): void; onRedeem(): void; busy: boolean }) {
  const image = r.images[0];
  const progress = r.affordable ? 100 : Math.max(0, Math.min(100, Math.floor((Math.max(0, balance) * 100) / r.cost)));
  return (
    <Card withBorder radius="md" padding="md" data-testid="reward-card">
      <Card.Section>
        <AspectRatio ratio={image ? 16 / 9 : 12 / 5}>
          {image ? (
            <Image src={image.url} alt={r.title} fit="cover" />
          ) : (
            <Center bg={`${KIND_COLORS[r.kind]}.0`}>
              <Text fw={700} c={`${KIND_COLORS[r.kind]}.7`} size="lg">
                {REWARD_KIND_LABELS[r.kind]}
              </Text>
            </Center>
          )}
        </AspectRatio>
      </Card.Section>
      <Group justify="space-between" mt="sm" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          <Text fw={600} component={Link} to={`/rewards/${r.id}`} c="inherit" style={{ textDecoration: 'none' }}>
            {r.title}
          </Text>
          <Group gap={6}>
            <Badge size="xs" variant="light" color={KIND_COLORS[r.kind]}>
              {REWARD_KIND_LABELS[r.kind]}
            </Badge>
            {r.category && (
              <Text size="xs" c="dimmed">
                {r.category}
              </Text>
            )}
          </Group>
        </Stack>
        <Tooltip label={r.inWishlist ? 'Remove from your wish list' : 'Add to your wish list'}>
          <ActionIcon variant="subtle" color="pink" onClick={onWish} loading={busy} aria-label={r.inWishlist ? `Remove ${r.title} from wish list` : `Add ${r.title} to wish list`} aria-pressed={r.inWishlist}>
            <Heart filled={r.inWishlist} />
          </ActionIcon>
        </Tooltip>
      </Group>
      {r.description && (
        <Text size="sm" c="dimmed" mt={6} lineClamp={2}>
          {r.description}
        </Text>
      )}
      <Text fw={700} size="lg" mt="sm">
        {formatPoints(r.cost, label)}
      </Text>
      <Progress value={progress} color={r.affordable ? 'green' : 'tandem'} mt={4} aria-label={`${r.title}: ${progress}% of the cost`} />
      <Text size="xs" mt={4} c={r.affordable ? 'green.8' : 'dimmed'} data-testid="affordability">
        {!r.inStock ? 'Out of stock for now' : r.affordable ? 'You have enough to redeem this' : `${formatPoints(r.pointsNeeded, label)} to go`}
      </Text>
      <Text size="xs" c="dimmed" mt={2}>
        Delivered {promise(r.promisedDeliveryMinutes)}
        {r.ships ? ', shipped to you' : ''}
        {r.requiresApproval ? ', after approval' : ''}
      </Text>
      <Button mt="sm" fullWidth variant={r.affordable && r.inStock ? 'filled' : 'default'} disabled={!r.affordable || !r.inStock} onClick={onRedeem}>
        {r.affordable && r.inStock ? 'Redeem' : !r.inStock ? 'Out of stock' : 'Not enough points yet'}
      </Button>
    </Card>
  );
}

/** A participant's catalog: what their programs let them redeem, how far they are, and their wish list. */
export default function CatalogPage() {
  const { session } = useSession();
  const label = session.workspace.pointsLabel;
  const qc = useQueryClient();
  const [category, setCategory] = useState('all');
  const [affordable, setAffordable] = useState(false);
  const [q, setQ] = useState('');
  const [redeeming, setRedeeming] = useState<CatalogItem | null>(null);
  const query = useQuery({
    queryKey: ['catalog', category, affordable, q],
    queryFn: () => catalogApi.list({ category: category === 'all' ? undefined : category, affordable, q: q.trim() || undefined }),
    retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2,
    placeholderData: keepPreviousData,
  });
  const all = useQuery({ queryKey: ['catalog', 'categories'], queryFn: () => catalogApi.list({}), retry: false });
  const wishlist = useQuery({ queryKey: ['catalog', 'wishlist'], queryFn: catalogApi.wishlist, retry: false });
  const wish = useMutation({
    mutationFn: (r: CatalogItem) => (r.inWishlist ? catalogApi.unwish(r.id) : catalogApi.wish(r.id)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['catalog'] }),
  });
  if (query.error instanceof ApiError && query.error.status === 404)
    return (
      <>
        <PageHeader title="Rewards" description="What you can redeem your points for." />
        <Alert color="gray">This account is not linked to a participant, so it has no catalog.</Alert>
      </>
    );
  const data = query.data;
  const wished = wishlist.data?.data ?? [];
  const categories = all.data?.categories ?? [];
  return (
    <>
      <PageHeader
        title="Rewards"
        description="One catalog for everyone in your programs. Save up for what you like: add it to your wish list."
        actions={
          data && (
            <Group gap="lg">
              <Button component={Link} to="/orders" variant="default">
                My orders
              </Button>
            <Stack gap={0} align="flex-end">
              <Text size="xs" c="dimmed">
                Your balance
              </Text>
              <Text fw={700} size="xl" data-testid="catalog-balance">
                {formatPoints(data.balance, label)}
              </Text>
            </Stack>
            </Group>
          )
        }
      />
      <ErrorAlert error={query.error ?? wish.error} />
      {wished.length > 0 && (
        <Card withBorder radius="md" mb="lg" padding="md" data-testid="wishlist">
          <Title order={5} mb="xs">
            Your wish list
          </Title>
          <Stack gap="xs">
            {wished.map((r) => {
              const pct = r.progressPercent;
              return (
                <Group key={r.id} wrap="nowrap" gap="md">
                  <Text size="sm" w={220} truncate>
                    {r.title}
                  </Text>
                  <Progress value={pct} color={r.affordable ? 'green' : 'tandem'} style={{ flex: 1 }} aria-label={`${r.title}: ${pct}%`} />
                  <Text size="sm" w={160} ta="right" c={r.affordable ? 'green.8' : undefined}>
                    {r.affordable ? 'Ready to redeem' : `${formatPoints(r.pointsNeeded, label)} to go`}
                  </Text>
                </Group>
              );
            })}
          </Stack>
        </Card>
      )}
      <Group mb="md" justify="space-between" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="wrap">
          {categories.length > 0 && (
            <SegmentedControl value={category} onChange={setCategory} data={[{ value: 'all', label: 'All' }, ...categories.map((c) => ({ value: c, label: c }))]} aria-label="Category" />
          )}
          <Switch checked={affordable} onChange={(e) => setAffordable(e.currentTarget.checked)} label="Only what I can afford now" />
        </Group>
        <TextInput placeholder="Search rewards" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={240} aria-label="Search rewards" />
      </Group>
      {!data ? (
        <PageLoader />
      ) : data.data.length === 0 ? (
        <Alert color="gray">{affordable ? 'Nothing you can afford yet with these filters. Keep earning, or look at everything.' : 'No rewards match these filters.'}</Alert>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3, xl: 4 }} spacing="md">
          {data.data.map((r) => (
            <RewardCard key={r.id} r={r} balance={data.balance} label={label} onWish={() => wish.mutate(r)} onRedeem={() => setRedeeming(r)} busy={wish.isPending && wish.variables?.id === r.id} />
          ))}
        </SimpleGrid>
      )}
      {redeeming && data && <RedeemModal item={redeeming} balance={data.balance} label={label} onClose={() => setRedeeming(null)} />}
    </>
  );
}
