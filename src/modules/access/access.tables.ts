export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  is_instance_owner: number;
  created_at: number;
  updated_at: number;
}
export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: string;
  person_id: string | null;
  created_at: number;
  updated_at: number;
}
export interface SessionsTable {
  id: string;
  user_id: string;
  workspace_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}
export interface ApiKeysTable {
  workspace_id: string;
  id: string;
  name: string;
  role: string;
  person_id: string | null;
  secret_hash: string;
  hint: string;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}
export interface ThrottlesTable {
  scope: string;
  failures: number;
  window_start: number;
  blocked_until: number | null;
}
export interface AccessTables {
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  throttles: ThrottlesTable;
}
