import { Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { IconShield } from './icons';

export function NoAccess() {
  return (
    <Center py={80}>
      <Paper withBorder p="xl" maw={460} ta="center">
        <Stack align="center" gap="sm">
          <IconShield size={36} color="var(--mantine-color-gray-6)" />
          <Title order={2} size="h3">
            You don’t have access to this page
          </Title>
          <Text c="dimmed" size="sm">
            Your role in this workspace does not include it. Ask a workspace admin if you need it.
          </Text>
          <Button component={Link} to="/" variant="light">
            Go to your start page
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
