import { Alert, Button, CopyButton, Group, Paper, Stack, Text } from '@mantine/core';
import { IconAlert, IconCheck, IconCopy } from './icons';

/** A secret shown once (an API key, a generated password), with a copy button and a warning. */
export function SecretBox({ label, value, warning }: { label: string; value: string; warning: string }) {
  return (
    <Stack gap="sm">
      <Alert color="orange" variant="light" icon={<IconAlert />} title="Copy it now">
        <Text size="sm">{warning}</Text>
      </Alert>
      <Text size="sm" fw={600} id="secret-label">
        {label}
      </Text>
      <Paper withBorder p="sm" bg="gray.0">
        <Group justify="space-between" wrap="nowrap" gap="sm">
          <Text className="tandem-secret" size="sm" aria-labelledby="secret-label" data-testid="secret-value">
            {value}
          </Text>
          <CopyButton value={value} timeout={2000}>
            {({ copied, copy }) => (
              <Button size="xs" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />} onClick={copy} style={{ flex: 'none' }}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Paper>
    </Stack>
  );
}
