/**
 * Passwords of the services' database roles in tests. Roles belong to the PostgreSQL server, not to
 * one test database: every test that provisions them uses these, so that test files running in
 * parallel never change each other's logins (one file's API failed to log in while another set
 * its own password).
 */
export const TEST_ROLE_PASSWORDS = { api: 'api-role-test-password', ingest: 'ingest-role-test-password' } as const;
