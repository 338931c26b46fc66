import Database from 'better-sqlite3';
import { conflict, storeFailure } from '../../domain/errors.ts';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
} from './event-store.ts';
import { checkExpectedRevision } from './expected-revision.ts';
import { feedCursor, notAnEventPosition } from './feed-cursor.ts';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  id        TEXT    NOT NULL UNIQUE,
  stream    TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL,
  stored_at TEXT    NOT NULL,
  UNIQUE (stream, revision)
);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
CREATE TRIGGER IF NOT EXISTS events_never_updated BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_never_deleted BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
`;

interface Row {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  stored_at: string;
}

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: AppendResult } | { readonly error: unknown };

const toEvent = (row: Row): StoredEvent => ({
  id: row.id,
  stream: row.stream,
  revision: row.revision,
  position: row.position,
  type: row.type,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
  stored_at: row.stored_at,
});

/** The embedded store: one append-only table in WAL mode with full fsync on commit. */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(
    readonly path: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = openDatabase(path);
    this.statements = {
      revision: this.db.prepare<[string], { revision: number | null }>(
        'SELECT MAX(revision) AS revision FROM events WHERE stream = ?',
      ),
      insert: this.db.prepare<[string, string, number, string, string, string, string]>(
        'INSERT INTO events (id, stream, revision, type, data, metadata, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      byId: this.db.prepare<[string], Row>('SELECT * FROM events WHERE id = ?'),
      stream: this.db.prepare<[string, number, number], Row>(
        'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
      ),
      head: this.db.prepare<[], { position: number | null }>('SELECT MAX(position) AS position FROM events'),
      eventAt: this.db.prepare<[number], { position: number }>('SELECT position FROM events WHERE position = ?'),
    };
    this.commitBatch = this.db.transaction((batch: PendingAppend[]) =>
      batch.map((pending): Outcome => {
        try {
          return { ok: this.appendOne(pending.stream, pending.events, pending.expected) };
        } catch (error) {
          return { error };
        }
      }),
    );
  }

  /**
   * Appends wait for the next turn of the event loop and commit together: one
   * transaction, one fsync, for every append asked in the meantime (group
   * commit). An append checks everything before it inserts anything, so one
   * that fails its expected revision leaves the others in; none is answered
   * before the commit is durable.
   */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ stream, events, expected, resolve, reject });
      if (this.queue.length === 1) setImmediate(this.flush);
    });
  }

  private queue: PendingAppend[] = [];

  private readonly flush = () => {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch.immediate(batch);
    } catch (error) {
      const failure = storeFailure(`the event store at ${this.path} could not commit: ${(error as Error).message}`);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    outcomes.forEach((outcome, i) => {
      if ('ok' in outcome) batch[i]!.resolve(outcome.ok);
      else batch[i]!.reject(outcome.error);
    });
  };

  private readonly commitBatch: Database.Transaction<(batch: PendingAppend[]) => Outcome[]>;

  private appendOne(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const retried = this.alreadyAppended(stream, events);
    if (retried) return retried;
    const current = this.statements.revision.get(stream)?.revision ?? null;
    checkExpectedRevision(stream, expected, current);
    const storedAt = this.now().toISOString();
    let revision = current ?? -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      const result = this.statements.insert.run(
        event.id,
        stream,
        revision,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        storedAt,
      );
      position = Number(result.lastInsertRowid);
    }
    return { revision, position };
  }

  /**
   * A retry of events already stored answers as the first append did. Any
   * other reuse of an id is refused here, before an insert could fail half-way.
   */
  private alreadyAppended(stream: string, events: readonly NewEvent[]): AppendResult | null {
    if (events.length > 1 && new Set(events.map((e) => e.id)).size !== events.length) {
      throw conflict(`the same event id twice in one append to ${stream}`, { stream });
    }
    const rows = events.map((e) => this.statements.byId.get(e.id));
    if (rows.every((row) => row === undefined)) return null;
    const consistent = rows.every((row, i) => row && row.stream === stream && row.revision === rows[0]!.revision + i);
    if (!consistent) {
      throw conflict(`event ids already used elsewhere in the store (stream ${stream})`, {
        stream,
        ids: events.map((e) => e.id),
      });
    }
    const last = rows[rows.length - 1]!;
    return { revision: last.revision, position: last.position };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return this.statements.stream.all(stream, options.from ?? 0, options.limit ?? -1).map(toEvent);
  }

  async streamRevision(stream: string): Promise<number | null> {
    return this.statements.revision.get(stream)?.revision ?? null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const after = feedCursor(options.after);
    if (after !== 0 && !this.statements.eventAt.get(after)) throw notAnEventPosition(after);
    const where = ['position > ?'];
    const params: (string | number)[] = [after];
    if (options.types?.length) {
      where.push(`type IN (${options.types.map(() => '?').join(', ')})`);
      params.push(...options.types);
    }
    if (options.streamPrefix) {
      where.push('substr(stream, 1, ?) = ?');
      params.push(options.streamPrefix.length, options.streamPrefix);
    }
    params.push(options.limit ?? -1);
    return this.db
      .prepare<(string | number)[], Row>(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`)
      .all(...params)
      .map(toEvent);
  }

  async headPosition(): Promise<number> {
    return this.statements.head.get()?.position ?? 0;
  }

  async close(): Promise<void> {
    this.flush();
    if (this.db.open) this.db.close();
  }
}

function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this passthru understands (${SCHEMA_VERSION})`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db?.close();
    throw storeFailure(`cannot open the event store at ${path}: ${(error as Error).message}`, { path });
  }
}
