import { type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  name?: string;
}

/** pino logger with secrets redacted; pass `logger.child({ module })` to components. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
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
      ],
      censor: '[redacted]',
    },
  });
}

/** Logger that drops everything (tests, quiet tools). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
