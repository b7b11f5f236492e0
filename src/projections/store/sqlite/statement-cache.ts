import type Database from 'better-sqlite3';

/** Statement shapes come from code, so this is a safety net, not a working set. */
const MAX_STATEMENTS = 1000;

/** The SQLite read store's statements, prepared once per SQL text. */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** `raw` statements return rows as arrays. */
  get(sql: string, raw = false): Database.Statement {
    const key = raw ? `raw ${sql}` : sql;
    let statement = this.statements.get(key);
    if (!statement) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
      statement = this.db.prepare(sql);
      if (raw) statement.raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  clear(): void {
    this.statements.clear();
  }
}
