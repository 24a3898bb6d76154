/**
 * What the panel remembers about jobs: which failures it has announced, and
 * which finished jobs the user dismissed (pure; unit-tested in
 * test/tracking.test.ts).
 */

import { IJob } from './types';
import { isFinished } from './util';

/**
 * Picks, from each job list, the jobs that failed since the last look: each
 * failure is reported once. The first list is a baseline (jobs that had
 * already failed when the page loaded are not news).
 */
export class FailureTracker {
  /** The failed jobs in `jobs` not reported before (and marks them reported). */
  update(jobs: IJob[]): IJob[] {
    const failed = jobs.filter(j => j.status === 'failed');
    if (!this._started) {
      this._started = true;
      failed.forEach(j => this._seen.add(j.job_id));
      return [];
    }
    return failed.filter(j => this.claim(j.job_id));
  }

  /** Mark a failure reported; true if it was not yet. */
  claim(jobId: string): boolean {
    if (this._seen.has(jobId)) {
      return false;
    }
    this._seen.add(jobId);
    return true;
  }

  private _started = false;
  private _seen = new Set<string>();
}

/** The part of the Web Storage API the dismissed list needs. */
export interface IKeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The ids of finished jobs the user dismissed from the panel, kept in
 * `localStorage` (one list per server) so they stay hidden after a reload.
 */
export class DismissedJobs {
  constructor(
    readonly storage: IKeyValueStorage | null,
    readonly key: string,
    readonly max = 2000
  ) {
    this._ids = this._load();
  }

  get size(): number {
    return this._ids.size;
  }

  has(jobId: string): boolean {
    return this._ids.has(jobId);
  }

  /** Dismiss the finished ones of `jobs`; returns how many were added. */
  dismiss(jobs: Pick<IJob, 'job_id' | 'status'>[]): number {
    let added = 0;
    for (const job of jobs) {
      if (isFinished(job) && !this._ids.has(job.job_id)) {
        this._ids.add(job.job_id);
        added += 1;
      }
    }
    if (added) {
      // the oldest dismissals go first past `max` (a Set keeps insertion order)
      const ids = [...this._ids].slice(-this.max);
      this._ids = new Set(ids);
      this._save();
    }
    return added;
  }

  /** Show every dismissed job again. */
  clear(): void {
    this._ids.clear();
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // storage unavailable: the list lives only in this page
    }
  }

  /** Re-read the list (another tab may have changed it). */
  reload(): void {
    this._ids = this._load();
  }

  private _load(): Set<string> {
    try {
      const raw = this.storage?.getItem(this.key);
      const ids: unknown = raw ? JSON.parse(raw) : [];
      return new Set(
        Array.isArray(ids) ? ids.filter(id => typeof id === 'string') : []
      );
    } catch {
      return new Set();
    }
  }

  private _save(): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify([...this._ids]));
    } catch {
      // full or disabled storage: the list lives only in this page
    }
  }

  private _ids: Set<string>;
}
