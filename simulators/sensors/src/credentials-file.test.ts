import { describe, expect, it } from 'vitest';
import { parseCredentialsCsv } from './credentials-file.js';

describe('parseCredentialsCsv', () => {
  it('keeps the sensors’ accounts of an issued CSV and leaves the services’ out', () => {
    const csv = 'username,password,kind\na-1-s,pw1,sensor\ningest-1@svc,pw2,service\na-2-s,pw3,sensor\n';
    expect([...parseCredentialsCsv(csv)]).toEqual([
      ['a-1-s', 'pw1'],
      ['a-2-s', 'pw3'],
    ]);
  });

  it.each([
    ['a file without the header', 'a-1-s,pw1,sensor\n', /first line/],
    ['a line without a password', 'username,password,kind\na-1-s,,sensor\n', /line 2/],
    ['an unknown kind', 'username,password,kind\na-1-s,pw,device\n', /line 2/],
  ])('refuses %s', (_, csv, message) => {
    expect(() => parseCredentialsCsv(csv)).toThrow(message);
  });
});
