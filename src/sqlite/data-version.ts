import type Database from 'better-sqlite3';

/**
 * Whether another connection has committed to a SQLite file since the last
 * look (`PRAGMA data_version`; each look is a read transaction). A
 * connection's own commits never show here.
 */
export class OtherCommits {
  private readonly version: Database.Statement<[], number>;
  private last: number;

  constructor(db: Database.Database) {
    this.version = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.last = this.version.get()!;
  }

  /** true when others committed since the last look */
  since(): boolean {
    const version = this.version.get()!;
    if (version === this.last) return false;
    this.last = version;
    return true;
  }
}
