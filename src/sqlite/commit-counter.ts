/**
 * A count of the commits made to one SQLite file by the connections of one
 * process (its threads), in shared memory: a connection that sees it
 * unchanged knows that no thread of this process committed since it last
 * looked, without asking SQLite (PRAGMA data_version starts a read
 * transaction: system calls on every request). Other processes still show
 * only through data_version.
 */
export class CommitCounter {
  private readonly count: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.count = new Int32Array(buffer);
  }

  /** after each commit */
  bump(): void {
    Atomics.add(this.count, 0, 1);
  }

  read(): number {
    return Atomics.load(this.count, 0);
  }
}

/** Whether a CommitCounter moved since the last look (the first look compares with its value when watching began). */
export class CounterWatch {
  private last: number;

  constructor(private readonly counter: CommitCounter) {
    this.last = counter.read();
  }

  since(): boolean {
    const now = this.counter.read();
    if (now === this.last) return false;
    this.last = now;
    return true;
  }
}
