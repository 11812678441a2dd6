// PostgreSQL settings of both benchmarks (bench:ingest, bench:api).

/**
 * What a write-heavy deployment sets instead of PostgreSQL's small defaults (as infra/compose.yaml does):
 * room for the working set, and checkpoints spread out instead of forced by WAL volume every few
 * seconds. Durability is untouched: fsync and synchronous_commit stay on.
 */
export const BENCH_PG_SETTINGS = {
  shared_buffers: '512MB',
  wal_buffers: '64MB',
  max_wal_size: '4GB',
  checkpoint_timeout: '15min',
  checkpoint_completion_target: '0.9',
  // Local clients connect over the Unix socket, as PostgreSQL's own tools do on one machine: a 5,000-event
  // batch is ~1.5 MB of parameters, and over TCP loopback the sender pays the whole TCP path for it.
  unix_socket_directories: '/tmp',
};
