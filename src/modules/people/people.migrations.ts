import type { Kysely, Migration } from 'kysely';

export const peopleMigrations: Record<string, Migration> = {
  '20261123_0300_people': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('teams')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.workspace_id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text')
        .addColumn('manager_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('teams_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('teams_external_id', ['workspace_id', 'external_id'])
        .addForeignKeyConstraint('teams_parent_fk', ['workspace_id', 'parent_id'], 'teams', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('teams_parent').on('teams').columns(['workspace_id', 'parent_id']).execute();

      await db.schema
        .createTable('accounts')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.workspace_id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('tier', 'text')
        .addColumn('region', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('accounts_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('accounts_external_id', ['workspace_id', 'external_id'])
        .execute();

      await db.schema
        .createTable('people')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.workspace_id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('email', 'text')
        .addColumn('team_id', 'text')
        .addColumn('account_id', 'text')
        .addColumn('hire_date', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('locale', 'text')
        .addColumn('timezone', 'text')
        .addColumn('erased_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('people_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('people_external_id', ['workspace_id', 'external_id'])
        .addForeignKeyConstraint('people_team_fk', ['workspace_id', 'team_id'], 'teams', ['workspace_id', 'id'])
        .addForeignKeyConstraint('people_account_fk', ['workspace_id', 'account_id'], 'accounts', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('people_team').on('people').columns(['workspace_id', 'team_id']).execute();
      await db.schema.createIndex('people_account').on('people').columns(['workspace_id', 'account_id']).execute();

      await db.schema
        .createTable('assignments')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.workspace_id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('assignments_pk', ['workspace_id', 'id'])
        .addUniqueConstraint('assignments_external_id', ['workspace_id', 'external_id'])
        .addUniqueConstraint('assignments_pair', ['workspace_id', 'person_id', 'account_id', 'role'])
        .addForeignKeyConstraint('assignments_person_fk', ['workspace_id', 'person_id'], 'people', ['workspace_id', 'id'])
        .addForeignKeyConstraint('assignments_account_fk', ['workspace_id', 'account_id'], 'accounts', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('assignments_account').on('assignments').columns(['workspace_id', 'account_id']).execute();
    },
  },
};
