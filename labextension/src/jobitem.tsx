import { Clipboard } from '@jupyterlab/apputils';
import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IJob, describeJob, errorSummary, isFinished, isReused } from './util';

/** What the panel's buttons do (the plugin wires them to commands). */
export interface IJobActions {
  cancel(job: IJob): void;
  stop(job: IJob): void;
  open(job: IJob): void;
  /** The job's book view: characters, quotes, text, network. */
  openBook(job: IJob): void;
  dismiss(job: IJob): void;
  analyze(): void;
}

/** Put `text` on the system clipboard (the async API, else `execCommand`). */
async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    Clipboard.copyToSystem(text);
  }
}

/**
 * A failed job's whole error: its first line, then (expanded) every line,
 * selectable.
 */
export function JobError(props: { error: string }): JSX.Element {
  const { first, more } = errorSummary(props.error);
  return (
    <details className="jp-BookNLP-job-error" data-testid="booknlp-job-error">
      <summary title="Show the whole error">
        <span className="jp-BookNLP-job-error-first">{first}</span>
        {more > 0 && (
          <span className="jp-BookNLP-job-error-more">
            {` (+${more} more line${more === 1 ? '' : 's'})`}
          </span>
        )}
      </summary>
      <pre className="jp-BookNLP-job-error-text">{props.error}</pre>
    </details>
  );
}

/** Copies a job's whole error; says "Copied" for two seconds. */
function CopyError(props: { error: string }): JSX.Element {
  const [copied, setCopied] = React.useState(false);
  const copy = async () => {
    await copyText(props.error);
    setCopied(true);
    window.setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button
      className="jp-Button jp-mod-styled jp-BookNLP-action"
      data-action="copy-error"
      title="Copy the whole error to the clipboard"
      onClick={() => void copy()}
    >
      {copied ? 'Copied' : 'Copy error'}
    </button>
  );
}

/** One job of the list: status, progress, what it does, its error, buttons. */
export function JobItem(props: {
  job: IJob;
  now: number;
  actions: IJobActions;
}): JSX.Element {
  const { job, now, actions } = props;
  const progress = Math.max(0, Math.min(100, job.progress));
  const name = job.book_id || job.job_id;
  return (
    <li
      className="jp-BookNLP-job"
      data-job-id={job.job_id}
      data-status={job.status}
      data-reused-from={job.reused_from || undefined}
    >
      <div className="jp-BookNLP-job-head">
        <span className="jp-BookNLP-job-title" title={job.job_id}>
          {name}
        </span>
        <span
          className={`jp-BookNLP-badge jp-BookNLP-badge-${job.status}`}
          title={
            isReused(job)
              ? `already analyzed: the stored result of job ${job.reused_from}`
              : undefined
          }
        >
          {job.status}
        </span>
        {isFinished(job) && (
          <button
            className="jp-BookNLP-iconbutton"
            data-action="dismiss"
            title="Dismiss: hide this finished job from the list"
            aria-label={`Dismiss ${name}`}
            onClick={() => actions.dismiss(job)}
          >
            <closeIcon.react tag="span" />
          </button>
        )}
      </div>
      <div
        className="jp-BookNLP-progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(progress)}
        aria-label={`${name} progress`}
      >
        <div
          className="jp-BookNLP-progress-bar"
          style={{ width: `${progress}%` }}
        />
      </div>
      <div className="jp-BookNLP-job-meta">{describeJob(job, now)}</div>
      {job.error_message && <JobError error={job.error_message} />}
      <div className="jp-BookNLP-job-actions">
        {job.error_message && <CopyError error={job.error_message} />}
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
            data-action="open-book"
            title="Open the book view: characters, quotes, text and network"
            onClick={() => actions.openBook(job)}
          >
            Open
          </button>
        )}
        {job.status === 'completed' && (
          <button
            className="jp-Button jp-mod-styled jp-BookNLP-action"
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
