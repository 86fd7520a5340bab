import { Paper } from '@mantine/core';
import { PageHeader } from '../components/PageHeader';
import { ImportPanel } from '../components/ImportPanel';

export default function ImportPage() {
  return (
    <>
      <PageHeader
        title="Import"
        description="Bring teams, people, accounts and who serves which account from a CSV file (from your HR system or CRM). Import teams and accounts before the people who belong to them."
      />
      <Paper withBorder p="lg">
        <ImportPanel />
      </Paper>
    </>
  );
}
