/**
 * Reads the issued-*.csv of `pnpm broker:provision` (`username,password,kind`, infra/scripts/provision.ts)
 * into sensor id -> password; service accounts are left out. Malformed input is an error, never skipped.
 */
export function parseCredentialsCsv(text: string): Map<string, string> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'username,password,kind')
    throw new Error('not an issued credentials CSV: the first line must be username,password,kind');
  const credentials = new Map<string, string>();
  for (const [i, line] of lines.slice(1).entries()) {
    const [username, password, kind, ...rest] = line.trim().split(',');
    if (!username || !password || (kind !== 'sensor' && kind !== 'service') || rest.length > 0) {
      throw new Error(`credentials CSV line ${i + 2}: expected username,password,sensor|service`);
    }
    if (kind === 'sensor') credentials.set(username, password);
  }
  return credentials;
}
