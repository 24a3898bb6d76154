import { Notification } from '@jupyterlab/apputils';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { APIError, BookNLPAPI } from './api';
import { DismissedJobs, FailureTracker, IKeyValueStorage } from './tracking';
import { IJob, IStats, isFinished, listLimit, pollInterval } from './util';

/** `window.localStorage`, or null where the browser refuses it. */
function browserStorage(): IKeyValueStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const MAX_BACKOFF_MS = 30000;

/**
 * The live job list and queue numbers, polled through `ServerConnection`:
 * every second while a job is pending or running, every five seconds when idle,
 * backing off (up to 30 s) while the server does not answer, and resting while
 * the page is hidden.
 */
export class JobsModel {
  constructor(readonly api: BookNLPAPI) {
    this.dismissed = new DismissedJobs(
      browserStorage(),
      `booknlp-jupyter-lab:dismissed:${api.url('')}`
    );
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: { interval: 5000, backoff: true, max: MAX_BACKOFF_MS },
      name: 'booknlp:jobs',
      standby: 'when-hidden'
    });
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted once per job that fails while the page is open. */
  get jobFailed(): ISignal<this, IJob> {
    return this._jobFailed;
  }

  /** The jobs the server lists, newest first, dismissed ones included. */
  get allJobs(): IJob[] {
    return this._jobs;
  }

  /** The jobs to show: those not dismissed. */
  get jobs(): IJob[] {
    return this._jobs.filter(j => !this.dismissed.has(j.job_id));
  }

  /** How many of the listed jobs are dismissed. */
  get hiddenCount(): number {
    return this._jobs.length - this.jobs.length;
  }

  /** Hide finished jobs from the list, for good (remembered across reloads). */
  dismiss(jobs: IJob[]): void {
    this.dismissed.reload();
    if (this.dismissed.dismiss(jobs.filter(isFinished))) {
      this._changed.emit();
    }
  }

  /** Hide every finished job listed now. */
  clearFinished(): void {
    this.dismiss(this._jobs);
  }

  /** Show the dismissed jobs again. */
  restoreDismissed(): void {
    this.dismissed.clear();
    this._changed.emit();
  }

  /** Announce a failure seen outside the poll (a submit answer), once. */
  reportFailed(job: IJob): void {
    if (job.status === 'failed' && this._failures.claim(job.job_id)) {
      this._jobFailed.emit(job);
    }
  }

  get stats(): IStats | null {
    return this._stats;
  }

  /** The last polling error, null while the server answers. */
  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Poll now (after a submit or a cancel). */
  refresh(): Promise<void> {
    return this._poll.refresh();
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _fetch(): Promise<void> {
    try {
      const [list, stats] = await Promise.all([
        this.api.listJobs(listLimit(this.hiddenCount)),
        this.api.stats()
      ]);
      this.dismissed.reload(); // another tab may have dismissed jobs
      this._jobs = list.jobs;
      this._stats = stats;
      for (const job of this._failures.update(list.jobs)) {
        this._jobFailed.emit(job);
      }
      if (this._error !== null) {
        this._error = null;
        Notification.dismiss(this._notice);
        this._notice = '';
      }
    } catch (error) {
      const message = error instanceof APIError ? error.detail : String(error);
      if (this._error === null) {
        // one notification per outage, not one per poll
        this._notice = Notification.error(
          `BookNLP job list unavailable: ${message}`,
          { autoClose: false }
        );
      }
      this._error = message;
      this._changed.emit();
      throw error; // the poll backs off
    }
    const interval = pollInterval(this._jobs);
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = {
        interval,
        backoff: true,
        max: MAX_BACKOFF_MS
      };
    }
    this._changed.emit();
  }

  readonly dismissed: DismissedJobs;
  private _failures = new FailureTracker();
  private _jobFailed = new Signal<this, IJob>(this);
  private _poll: Poll;
  private _jobs: IJob[] = [];
  private _stats: IStats | null = null;
  private _error: string | null = null;
  private _notice = '';
  private _changed = new Signal<this, void>(this);
}
