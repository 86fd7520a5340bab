import { useState } from 'react';
import { ActionIcon, Alert, Anchor, AspectRatio, Badge, Button, Card, Center, Grid, Group, Image, List, Progress, SimpleGrid, Stack, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { catalogApi, REWARD_KIND_LABELS } from '../api/rewards';
import { ApiError } from '../api/client';
import { useSession } from '../session';
import { PageLoader } from '../components/PageLoader';
import { ErrorAlert } from '../components/ErrorAlert';
import { RedeemModal } from '../components/RedeemModal';
import { formatPoints } from '../lib/format';
import { Heart, KIND_COLORS, promise } from './CatalogPage';

const PER: Record<string, string> = { day: 'a day', week: 'a week', month: 'a month', quarter: 'a quarter', year: 'a year', ever: 'in all' };

/** One reward of the participant's catalog: its pictures, what it is, how far they are, and redeeming it. */
export default function RewardPage() {
  const { id = '' } = useParams();
  const { session } = useSession();
  const label = session.workspace.pointsLabel;
  const qc = useQueryClient();
  const [picked, setPicked] = useState(0);
  const [redeeming, setRedeeming] = useState(false);
  const item = useQuery({ queryKey: ['catalog', 'item', id], queryFn: () => catalogApi.get(id), retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2 });
  // The wish list answers the balance too.
  const wallet = useQuery({ queryKey: ['catalog', 'wishlist'], queryFn: catalogApi.wishlist, retry: false });
  const wish = useMutation({
    mutationFn: () => (item.data!.inWishlist ? catalogApi.unwish(id) : catalogApi.wish(id)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['catalog'] }),
  });
  const back = (
    <Anchor component={Link} to="/rewards" size="sm">
      ← All rewards
    </Anchor>
  );
  if (item.error instanceof ApiError && item.error.status === 404)
    return (
      <Stack>
        {back}
        <Alert color="gray" title="Not in your catalog">
          This reward is not offered to you, or no longer available.
        </Alert>
      </Stack>
    );
  const r = item.data;
  const balance = wallet.data?.balance;
  if (!r || balance === undefined) return item.error ? <ErrorAlert error={item.error} /> : <PageLoader />;
  const image = r.images[Math.min(picked, r.images.length - 1)];
  const progress = r.affordable ? 100 : Math.max(0, Math.min(100, Math.floor((Math.max(0, balance) * 100) / r.cost)));
  const canRedeem = r.affordable && r.inStock;
  return (
    <Stack gap="md">
      {back}
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Card withBorder radius="md" padding={0}>
            <AspectRatio ratio={4 / 3}>
              {image ? (
                <Image src={image.url} alt={r.title} fit="cover" />
              ) : (
                <Center bg={`${KIND_COLORS[r.kind]}.0`}>
                  <Text fw={700} c={`${KIND_COLORS[r.kind]}.7`} size="xl">
                    {REWARD_KIND_LABELS[r.kind]}
                  </Text>
                </Center>
              )}
            </AspectRatio>
          </Card>
          {r.images.length > 1 && (
            <SimpleGrid cols={6} spacing="xs" mt="xs">
              {r.images.map((img, i) => (
                <UnstyledButton key={img.id} onClick={() => setPicked(i)} aria-label={`Picture ${i + 1} of ${r.images.length}`} aria-pressed={i === picked} style={{ outline: i === picked ? '2px solid var(--mantine-color-tandem-6)' : undefined, borderRadius: 6, overflow: 'hidden' }}>
                  <AspectRatio ratio={1}>
                    <Image src={img.url} alt="" fit="cover" />
                  </AspectRatio>
                </UnstyledButton>
              ))}
            </SimpleGrid>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="sm">
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4}>
                <Title order={2}>{r.title}</Title>
                <Group gap={6}>
                  <Badge variant="light" color={KIND_COLORS[r.kind]}>
                    {REWARD_KIND_LABELS[r.kind]}
                  </Badge>
                  {r.category && (
                    <Text size="sm" c="dimmed">
                      {r.category}
                    </Text>
                  )}
                </Group>
              </Stack>
              <Tooltip label={r.inWishlist ? 'Remove from your wish list' : 'Add to your wish list'}>
                <ActionIcon variant="light" color="pink" size="lg" onClick={() => wish.mutate()} loading={wish.isPending} aria-label={r.inWishlist ? `Remove ${r.title} from wish list` : `Add ${r.title} to wish list`} aria-pressed={r.inWishlist}>
                  <Heart filled={r.inWishlist} />
                </ActionIcon>
              </Tooltip>
            </Group>
            {r.description && <Text style={{ whiteSpace: 'pre-line' }}>{r.description}</Text>}
            <Card withBorder radius="md" padding="md" data-testid="reward-cost">
              <Group justify="space-between" align="flex-end">
                <Stack gap={0}>
                  <Text size="xs" c="dimmed">
                    Costs
                  </Text>
                  <Text fw={700} size="xl">
                    {formatPoints(r.cost, label)}
                  </Text>
                </Stack>
                <Stack gap={0} align="flex-end">
                  <Text size="xs" c="dimmed">
                    Your balance
                  </Text>
                  <Text fw={600}>{formatPoints(balance, label)}</Text>
                </Stack>
              </Group>
              <Progress value={progress} color={r.affordable ? 'green' : 'tandem'} mt="sm" aria-label={`${r.title}: ${progress}% of the cost`} />
              <Text size="sm" mt={6} c={r.affordable ? 'green.8' : 'dimmed'}>
                {!r.inStock ? 'Out of stock for now' : r.affordable ? `You have enough: ${formatPoints(balance - r.cost, label)} left after this order` : `${formatPoints(r.pointsNeeded, label)} to go`}
              </Text>
              <Button mt="md" fullWidth size="md" disabled={!canRedeem} onClick={() => setRedeeming(true)}>
                {canRedeem ? 'Redeem' : !r.inStock ? 'Out of stock' : 'Not enough points yet'}
              </Button>
            </Card>
            <List size="sm" spacing={4} c="dimmed">
              <List.Item>
                Delivered {promise(r.promisedDeliveryMinutes)}
                {r.ships ? ', shipped to the address you give' : ''}
              </List.Item>
              {r.requiresApproval && <List.Item>An admin or your manager approves the order first; until then you can cancel it</List.Item>}
              {r.variants.length > 0 && <List.Item>Choices: {r.variants.map((v) => `${v.name}${v.inStock ? '' : ' (out of stock)'}`).join(', ')}</List.Item>}
              {r.limit && (
                <List.Item>
                  At most {r.limit.count} {PER[r.limit.per] ?? `per ${r.limit.per}`} per person
                </List.Item>
              )}
              {r.availableUntil && <List.Item>Available until {new Date(r.availableUntil).toLocaleDateString()}</List.Item>}
            </List>
            <ErrorAlert error={wish.error} />
          </Stack>
        </Grid.Col>
      </Grid>
      {redeeming && <RedeemModal item={r} balance={balance} label={label} onClose={() => setRedeeming(false)} />}
    </Stack>
  );
}
