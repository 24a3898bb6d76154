import { ReactWidget, UseSignal, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { bookIcon } from './icon';
import { JobsModel } from './model';
import { IJob, IStats, describeJob } from './util';

/** What the panel's buttons do (the plugin wires them to commands). */
export interface IJobActions {
  cancel(job: IJob): void;
  stop(job: IJob): void;
  open(job: IJob): void;
  analyze(): void;
}

function QueueHeader(props: {
  stats: IStats | null;
  error: string | null;
}): JSX.Element {
  const { stats, error } = props;
  if (error) {
    return (
      <div className="jp-BookNLP-queue jp-BookNLP-queue-error" role="alert">
        Not connected: {error}
      </div>
    );
  }
  if (!stats) {
    return <div className="jp-BookNLP-queue">Connecting…</div>;
  }
  const devices = stats.devices.length ? stats.devices.join(', ') : '—';
  return (
    <div className="jp-BookNLP-queue" data-testid="booknlp-queue">
      <span className="jp-BookNLP-stat" data-stat="running">
        <b>{stats.running}</b> running
      </span>
      <span className="jp-BookNLP-stat" data-stat="pending">
        <b>
          {stats.pending}/{stats.max_queue_size}
        </b>{' '}
        pending
      </span>
      <span className="jp-BookNLP-stat" data-stat="device">
        device <b>{devices}</b>
      </span>
      <span
        className="jp-BookNLP-stat"
        data-stat="worker"
        title="the worker process that runs the engines"
      >
        worker <b>{stats.worker_running ? 'ready' : 'starting'}</b>
      </span>
    </div>
  );
}

function JobItem(props: {
  job: IJob;
  now: number;
  actions: IJobActions;
}): JSX.Element {
  const { job, now, actions } = props;
  const progress = Math.max(0, Math.min(100, job.progress));
  return (
    <li
      className="jp-BookNLP-job"
      data-job-id={job.job_id}
      data-status={job.status}
    >
      <div className="jp-BookNLP-job-head">
        <span className="jp-BookNLP-job-title" title={job.job_id}>
          {job.book_id || job.job_id}
        </span>
        <span className={`jp-BookNLP-badge jp-BookNLP-badge-${job.status}`}>
          {job.status}
        </span>
      </div>
      <div
        className="jp-BookNLP-progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(progress)}
        aria-label={`${job.book_id || job.job_id} progress`}
      >
        <div
          className="jp-BookNLP-progress-bar"
          style={{ width: `${progress}%` }}
        />
      </div>
      <div className="jp-BookNLP-job-meta">{describeJob(job, now)}</div>
      {job.error_message && (
        <div className="jp-BookNLP-job-error" title={job.error_message}>
          {job.error_message}
        </div>
      )}
      <div className="jp-BookNLP-job-actions">
        {job.status === 'pending' && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn jp-BookNLP-action"
            data-action="cancel"
            onClick={() => actions.cancel(job)}
          >
            Cancel
          </button>
        )}
        {job.status === 'running' && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn jp-BookNLP-action"
            data-action="stop"
            onClick={() => actions.stop(job)}
          >
            Stop…
          </button>
        )}
        {job.status === 'completed' && (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept jp-BookNLP-action"
            data-action="open"
            title="Insert a cell that loads this job's tables, and run it"
            onClick={() => actions.open(job)}
          >
            Open in notebook
          </button>
        )}
      </div>
    </li>
  );
}

/** The sidebar: the queue's state and the live job list, newest first. */
export class JobsPanel extends ReactWidget {
  constructor(
    readonly model: JobsModel,
    readonly actions: IJobActions
  ) {
    super();
    this.id = 'booknlp-jobs';
    this.addClass('jp-BookNLP-panel');
    this.title.icon = bookIcon;
    this.title.caption = 'BookNLP jobs';
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => {
          const { jobs, stats, error } = this.model;
          const now = Date.now();
          return (
            <div className="jp-BookNLP-root">
              <header className="jp-BookNLP-header">
                <h2 className="jp-BookNLP-title">BookNLP jobs</h2>
                <button
                  className="jp-BookNLP-iconbutton"
                  title="Analyze the current file or cell with BookNLP"
                  data-action="analyze"
                  onClick={() => this.actions.analyze()}
                >
                  <bookIcon.react tag="span" />
                </button>
                <button
                  className="jp-BookNLP-iconbutton"
                  title="Refresh"
                  data-action="refresh"
                  onClick={() => void this.model.refresh()}
                >
                  <refreshIcon.react tag="span" />
                </button>
              </header>
              <QueueHeader stats={stats} error={error} />
              {jobs.length === 0 ? (
                <p className="jp-BookNLP-empty">
                  No jobs yet. Right-click a .txt file and choose “Analyze with
                  BookNLP”, or run it from the command palette on a cell.
                </p>
              ) : (
                <ul className="jp-BookNLP-jobs">
                  {jobs.map(job => (
                    <JobItem
                      key={job.job_id}
                      job={job}
                      now={now}
                      actions={this.actions}
                    />
                  ))}
                </ul>
              )}
            </div>
          );
        }}
      </UseSignal>
    );
  }
}
