import type { ReactNode } from 'react';
import { Button, Group, Modal, Stack } from '@mantine/core';

export function ConfirmModal({
  opened,
  onClose,
  onConfirm,
  title,
  confirmLabel,
  color = 'red',
  loading,
  children,
}: {
  opened: boolean;
  onClose(): void;
  onConfirm(): void;
  title: string;
  confirmLabel: string;
  color?: string;
  loading?: boolean;
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="md">
      <Stack gap="md">
        {children}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color={color} onClick={onConfirm} loading={loading} data-autofocus>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
