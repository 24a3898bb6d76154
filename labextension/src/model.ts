import { Notification } from '@jupyterlab/apputils';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { APIError, BookNLPAPI } from './api';
import { IJob, IStats, pollInterval } from './util';

const MAX_BACKOFF_MS = 30000;

/**
 * The live job list and queue numbers, polled through `ServerConnection`:
 * every second while a job is pending or running, every five seconds when idle,
 * backing off (up to 30 s) while the server does not answer, and resting while
 * the page is hidden.
 */
export class JobsModel {
  constructor(readonly api: BookNLPAPI) {
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

  get jobs(): IJob[] {
    return this._jobs;
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
        this.api.listJobs(),
        this.api.stats()
      ]);
      this._jobs = list.jobs;
      this._stats = stats;
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

  private _poll: Poll;
  private _jobs: IJob[] = [];
  private _stats: IStats | null = null;
  private _error: string | null = null;
  private _notice = '';
  private _changed = new Signal<this, void>(this);
}
