import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Human-readable lines instead of JSON (for a terminal). */
  pretty?: boolean;
  /** Where JSON lines go instead of stdout (tests that inspect the log). */
  destination?: { write(line: string): void };
}

/** pino logger with secrets redacted; pass `logger.child({ module })` to components. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream =
    options.destination ??
    (options.pretty ? pretty({ colorize: true, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' }) : undefined);
  return pino(
    {
      name: options.name ?? 'freiplatz',
      level: options.level ?? 'info',
      redact: {
        paths: [
          'password',
          '*.password',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'connectionString',
          '*.connectionString',
          'apiKey',
          '*.apiKey',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    stream,
  );
}

/** Logger that drops everything (tests, quiet tools). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** What LOG_FORMAT asks for: `pretty` or `json` as set; unset, pretty on a terminal and JSON otherwise. */
export function isPrettyFormat(format: 'json' | 'pretty' | undefined): boolean {
  return (format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
}
