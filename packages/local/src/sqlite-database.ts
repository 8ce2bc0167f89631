import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;
type Statement = Database.Statement;

/**
 * Opens (and creates) the embedded SQLite database of the local edition.
 * WAL with synchronous=NORMAL: durable across a process crash, and fast
 * enough that every queue message can be a row.
 */
export function openSqliteDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

const statements = new WeakMap<SqliteDatabase, Map<string, Statement>>();

/** A prepared statement, compiled once per database and SQL text (preparing is the expensive part). */
export function statement(db: SqliteDatabase, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/**
 * Runs `fn` in an immediate transaction (synchronous, like better-sqlite3).
 * Inside another transaction it simply runs: the outer one commits or rolls back.
 */
export function inTransaction<T>(db: SqliteDatabase, fn: () => T): T {
  if (db.inTransaction) return fn();
  statement(db, 'BEGIN IMMEDIATE').run();
  try {
    const result = fn();
    statement(db, 'COMMIT').run();
    return result;
  } catch (e) {
    if (db.inTransaction) statement(db, 'ROLLBACK').run();
    throw e;
  }
}
