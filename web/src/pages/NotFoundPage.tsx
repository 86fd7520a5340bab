import { Link } from 'react-router';
import { Button, Center, Stack, Text, Title } from '@mantine/core';

export default function NotFoundPage({ what }: { what?: string }) {
  return (
    <Center py={80}>
      <Stack align="center" gap="sm" maw={480} ta="center">
        <Text fz={64} fw={800} c="tandem.2" lh={1}>
          404
        </Text>
        <Title order={1} size="h2">
          {what ? `This ${what} was not found` : 'Page not found'}
        </Title>
        <Text c="dimmed">
          {what
            ? `It may have been removed, or it belongs to another workspace.`
            : 'The address may be mistyped, or the page has moved. Check the link, or start again from the main menu.'}
        </Text>
        <Button component={Link} to="/" mt="sm">
          Back to Tandem
        </Button>
      </Stack>
    </Center>
  );
}
