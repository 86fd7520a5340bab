import { sql, type Kysely, type Migration } from 'kysely';

export const ledgerMigrations: Record<string, Migration> = {
  '20261123_0400_ledger': {
    async up(db: Kysely<unknown>) {
      // Append-only: a row is never updated or deleted; a correction is a new transfer.
      await db.schema
        .createTable('transfers')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('debit_account', 'text', (c) => c.notNull())
        .addColumn('credit_account', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('cause', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text')
        .addColumn('program_id', 'text')
        .addColumn('program_version', 'integer')
        .addColumn('rule_id', 'text')
        .addColumn('goal_id', 'text')
        .addColumn('reverses_id', 'text')
        .addColumn('actor_id', 'text')
        .addColumn('reason', 'text')
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('transfers_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('transfers_credit').on('transfers').columns(['workspace_id', 'credit_account', 'id']).execute();
      await db.schema.createIndex('transfers_debit').on('transfers').columns(['workspace_id', 'debit_account', 'id']).execute();
      await db.schema.createIndex('transfers_event').on('transfers').columns(['workspace_id', 'event_id']).execute();
      await db.schema.createIndex('transfers_caps').on('transfers').columns(['workspace_id', 'program_id', 'rule_id', 'occurred_at']).execute();
      // Reversing a transfer twice is refused by the database itself.
      await db.schema.createIndex('transfers_reverses').unique().on('transfers').columns(['workspace_id', 'reverses_id']).execute();

      // Projections kept in the transfer's transaction; rebuilt and compared by `ledger verify`.
      await db.schema
        .createTable('balances')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('balance', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('balances_pk', ['workspace_id', 'account'])
        .execute();
      await db.schema
        .createTable('lots')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('transfer_id', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('remaining', 'bigint', (c) => c.notNull())
        .addColumn('earned_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addPrimaryKeyConstraint('lots_pk', ['workspace_id', 'transfer_id'])
        .execute();
      await db.schema.createIndex('lots_open').on('lots').columns(['workspace_id', 'account', 'earned_at']).execute();
    },
  },
  '20261123_0410_ledger_cap_indexes': {
    async up(db: Kysely<unknown>) {
      // Caps count a wallet's awards (credits) and reversals (debits) in a program and period.
      await db.schema.createIndex('transfers_credit_program').on('transfers').columns(['workspace_id', 'credit_account', 'program_id', 'occurred_at']).execute();
      await db.schema.createIndex('transfers_debit_program').on('transfers').columns(['workspace_id', 'debit_account', 'program_id', 'occurred_at']).execute();
    },
  },
  '20261123_0420_ledger_lighter_indexes': {
    async up(db: Kysely<unknown>) {
      // Every transfer pays for each index on the hot path. Caps now read the
      // (account, program, time) indexes, so the rule index goes; "reversed at most once" only
      // needs the rows that reverse something, so that index becomes partial.
      await db.schema.dropIndex('transfers_caps').execute();
      await db.schema.dropIndex('transfers_reverses').execute();
      await db.schema.createIndex('transfers_reverses').unique().on('transfers').columns(['workspace_id', 'reverses_id']).where(sql.ref('reverses_id'), 'is not', null).execute();
    },
  },
  '20261124_0700_ledger_no_program_time_indexes': {
    async up(db: Kysely<unknown>) {
      // The (account, program, time) indexes took awards in occurred order, which is random
      // within an account: each award dirtied its own leaf page, and they cost more than the rest
      // of a transfer's writes together. Caps and program statistics read the (account, id)
      // indexes instead and filter program and time there: a wallet's or a budget's transfers.
      await db.schema.dropIndex('transfers_credit_program').execute();
      await db.schema.dropIndex('transfers_debit_program').execute();
    },
  },
  '20261124_0720_lots_open_by_arrival': {
    async up(db: Kysely<unknown>) {
      // Open lots of an account, in the order they were earned: new lots arrive out of time
      // order (late events), so an index by earned_at took each in the middle of the account's
      // range. The open ones, by transfer id, are few per wallet and sorted when read; a spent
      // lot leaves the index.
      await db.schema.dropIndex('lots_open').execute();
      await db.schema.createIndex('lots_open').on('lots').columns(['workspace_id', 'account', 'transfer_id']).where(sql.ref('remaining'), '>', 0).execute();
    },
  },
  '20261205_0500_lot_takes': {
    async up(db: Kysely<unknown>) {
      // Which lots each wallet debit took, and how much of each: a refund (the reversal of a
      // spend, such as a cancelled order) returns the points into those lots, with their dates.
      await db.schema
        .createTable('lot_takes')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('transfer_id', 'text', (c) => c.notNull())
        .addColumn('lot_id', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('lot_takes_pk', ['workspace_id', 'transfer_id', 'lot_id'])
        .execute();
    },
  },
};
