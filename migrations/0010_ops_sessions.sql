-- Operators' dashboard sessions, kept server-side so that signing out ends a session at once on
-- every API replica. The cookie holds a random token; only its SHA-256 is stored here.
CREATE TABLE ops_sessions (
  token_hash text PRIMARY KEY,
  key_id     text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX ops_sessions_expires_idx ON ops_sessions (expires_at);
CREATE INDEX ops_sessions_key_idx ON ops_sessions (key_id);
