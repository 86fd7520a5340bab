// People: one model for employees, customer contacts and partner reps; teams (a tree with
// managers), accounts (customer and partner companies) and assignments (who serves which account).
export { createPeopleService, type PeopleService, CSV_COLUMNS } from './people.service.js';
export { peopleRoutes } from './people.routes.js';
export { peopleMigrations } from './people.migrations.js';
