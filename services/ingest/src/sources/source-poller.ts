import type { Logger } from '@freiplatz/config';
import { type DataSourceRecord, type Db, listDataSources, recordSourcePoll } from '@freiplatz/db';
import { type CounterEvent, type DataSource, parseSourceFeed, toSourceEvents, toSourceHeartbeats } from '@freiplatz/domain';
import { sql } from 'kysely';
import { fetchFeed } from './fetch-feed.js';

export interface SourcePollerOptions {
  db: Db;
  logger: Logger;
  /** Commits events the way sensor events are committed; resolves once they are. */
  submit: (events: CounterEvent[]) => Promise<void>;
  /** Where `authHeader.valueEnv` names are looked up (main.ts passes process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** Longest wait for one answer (default 10 s, at most the poll interval). */
  requestTimeoutMs?: number;
  /** Largest body read (default 20 MiB). */
  maxBytes?: number;
  /** How often the list of sources is read again (default 60 s). */
  reloadIntervalMs?: number;
  now?: () => Date;
}

export interface SourcePoller {
  /** Polls every source once now (tests, and at start). */
  pollAll(): Promise<void>;
  /** Reads the list of sources again now (as the reload timer does): starts, stops and reschedules timers. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Polls the registry's sources (existing guidance systems) with conditional requests. Each reading
 * becomes a counter event of the facility's synthetic sensor and goes through `submit`, the commit
 * path of sensor events (dedupe, history, NOTIFY, live state). A failed poll changes nothing: the
 * last counts stand until the sensor's heartbeat allowance runs out, then the facility is unknown
 * (and the sensor shows `source_stale` to operators).
 */
export function createSourcePoller(o: SourcePollerOptions): SourcePoller {
  const log = o.logger.child({ module: 'sources' });
  const now = o.now ?? (() => new Date());
  const observed = new Map<string, Map<string, Date>>();
  const timers = new Map<string, { handle: NodeJS.Timeout; intervalSeconds: number }>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const capacitiesOf = async (source: DataSource) => {
    const ids = [...new Set(Object.values(source.idMap))];
    const { rows } = await sql<{ id: string; capacity: number }>`
      SELECT id, capacity FROM facilities WHERE id = ANY(${ids}::text[]) AND capacity IS NOT NULL`.execute(o.db);
    return new Map(rows.map((r) => [r.id, r.capacity]));
  };

  const authHeaders = (source: DataSource): Record<string, string> => {
    if (!source.authHeader) return {};
    const value = o.env[source.authHeader.valueEnv];
    if (value === undefined) log.warn({ source: source.id, env: source.authHeader.valueEnv }, 'auth header variable not set');
    return value === undefined ? {} : { [source.authHeader.name]: value };
  };

  const pollOne = async ({ source, etag, lastModified }: DataSourceRecord): Promise<void> => {
    const at = now();
    // Validators only once this process holds the readings they stand for (a 304 after a restart would leave it none).
    const known = observed.has(source.id);
    const answer = await fetchFeed({
      url: source.url,
      etag: known ? etag : null,
      lastModified: known ? lastModified : null,
      headers: authHeaders(source),
      timeoutMs: Math.min(o.requestTimeoutMs ?? 10_000, source.pollIntervalSeconds * 1000),
      maxBytes: o.maxBytes ?? 20 * 1024 * 1024,
    });
    const seen = observed.get(source.id) ?? new Map<string, Date>();
    if (answer.kind === 'failed') {
      log.warn({ source: source.id, status: answer.status, error: answer.error }, 'source poll failed; last counts stand until stale');
      await recordSourcePoll(o.db, source.id, { at, status: answer.status, ok: false, error: answer.error });
      return;
    }
    if (answer.kind === 'not-modified') {
      await o.submit(toSourceHeartbeats(source, seen, at));
      await recordSourcePoll(o.db, source.id, { at, status: 304, ok: true, error: null });
      return;
    }
    const parsed = parseSourceFeed(source.format, answer.body);
    if (!parsed.ok) {
      log.warn({ source: source.id, reason: parsed.reason }, 'source feed unreadable; last counts stand until stale');
      await recordSourcePoll(o.db, source.id, { at, status: 200, ok: false, error: `${parsed.code}: ${parsed.reason}`.slice(0, 500) });
      return;
    }
    const result = toSourceEvents(source, parsed, await capacitiesOf(source), at);
    observed.set(source.id, seen);
    for (const [facilityId, ts] of result.observed) seen.set(facilityId, ts);
    for (const facilityId of result.skipped) seen.delete(facilityId);
    if (result.unmapped.length > 0) log.debug({ source: source.id, unmapped: result.unmapped.slice(0, 20) }, 'sites not in the id map');
    await o.submit(result.events);
    await recordSourcePoll(o.db, source.id, {
      at,
      status: 200,
      ok: true,
      error: result.skipped.length > 0 ? `no usable reading for ${result.skipped.join(', ')}`.slice(0, 500) : null,
      etag: answer.etag,
      lastModified: answer.lastModified,
    });
  };

  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  };
  const safePoll = (record: DataSourceRecord) =>
    track(pollOne(record).catch((err: unknown) => log.warn({ err, source: record.source.id }, 'source poll could not be stored')));

  const pollAll = async () => {
    const records = await listDataSources(o.db);
    await Promise.all(records.map(safePoll));
  };

  // One timer per source; the list is read again now and then so registry imports take effect:
  // a new source starts, a removed one stops, a changed interval is rescheduled.
  const schedule = async () => {
    const records = await listDataSources(o.db).catch((err: unknown) => {
      log.warn({ err }, 'reading the sources failed');
      return null;
    });
    if (records === null || stopped) return;
    const listed = new Map(records.map((r) => [r.source.id, r.source.pollIntervalSeconds]));
    for (const [id, timer] of timers) {
      if (listed.get(id) === timer.intervalSeconds) continue;
      clearInterval(timer.handle);
      timers.delete(id);
      if (!listed.has(id)) {
        observed.delete(id);
        log.info({ source: id }, 'source removed from the registry: no longer polled');
      }
    }
    for (const record of records) {
      const id = record.source.id;
      if (timers.has(id)) continue;
      const tick = async () => {
        const current = (await listDataSources(o.db).catch(() => [])).find((r) => r.source.id === id);
        if (current && !stopped) await safePoll(current);
      };
      void tick();
      const handle = setInterval(() => void tick(), record.source.pollIntervalSeconds * 1000);
      handle.unref();
      timers.set(id, { handle, intervalSeconds: record.source.pollIntervalSeconds });
    }
  };
  void schedule();
  const reload = setInterval(() => void schedule(), o.reloadIntervalMs ?? 60_000);
  reload.unref();

  return {
    pollAll,
    reload: schedule,
    async stop() {
      stopped = true;
      clearInterval(reload);
      for (const t of timers.values()) clearInterval(t.handle);
      await Promise.allSettled([...running]);
    },
  };
}
