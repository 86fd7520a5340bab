import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.js';

test('the outbox and delivery log retentions default to 7 and 30 days and take whole days from 1', () => {
  const c = loadConfig({});
  assert.equal(c.outboxRetentionDays, 7);
  assert.equal(c.webhookLogRetentionDays, 30);
  const set = loadConfig({ TANDEM_OUTBOX_RETENTION_DAYS: '2', TANDEM_WEBHOOK_LOG_RETENTION_DAYS: '90' });
  assert.deepEqual([set.outboxRetentionDays, set.webhookLogRetentionDays], [2, 90]);
  for (const [variable, value] of [['TANDEM_OUTBOX_RETENTION_DAYS', '0'], ['TANDEM_WEBHOOK_LOG_RETENTION_DAYS', 'a week'], ['TANDEM_OUTBOX_RETENTION_DAYS', '1.5']]) {
    assert.throws(() => loadConfig({ [variable!]: value }), (err: unknown) => err instanceof ConfigError && err.issues[0]!.variable === variable);
  }
});
