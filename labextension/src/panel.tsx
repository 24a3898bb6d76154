import { ReactWidget, UseSignal, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CorpusList, ICorpusActions } from './corpusitem';
import { CorporaModel } from './corpusmodel';
import { bookIcon } from './icon';
import { IJobActions, JobItem } from './jobitem';
import { JobsModel } from './model';
import { IStats, isFinished } from './util';

export type { IJobActions } from './jobitem';
export type { ICorpusActions } from './corpusitem';

/** The corpus section's model and buttons. */
export interface ICorpora {
  model: CorporaModel;
  actions: ICorpusActions;
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

/** "Clear finished" (when some are shown) and "Show N dismissed". */
function ListTools(props: { model: JobsModel }): JSX.Element | null {
  const { model } = props;
  const finished = model.jobs.filter(isFinished).length;
  const hidden = model.hiddenCount;
  if (!finished && !hidden) {
    return null;
  }
  return (
    <div className="jp-BookNLP-listtools">
      {finished > 0 && (
        <button
          className="jp-BookNLP-linkbutton"
          data-action="clear-finished"
          title="Hide every completed, failed, cancelled and expired job"
          onClick={() => model.clearFinished()}
        >
          Clear finished ({finished})
        </button>
      )}
      {hidden > 0 && (
        <button
          className="jp-BookNLP-linkbutton"
          data-action="restore-dismissed"
          title="Show the dismissed jobs again"
          onClick={() => model.restoreDismissed()}
        >
          Show dismissed ({hidden})
        </button>
      )}
    </div>
  );
}

/**
 * The sidebar: the queue's state, the corpora (when there are any) and the
 * live job list, newest first.
 */
export class JobsPanel extends ReactWidget {
  constructor(
    readonly model: JobsModel,
    readonly actions: IJobActions,
    readonly corpora: ICorpora | null = null
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
                  onClick={() => {
                    void this.model.refresh();
                    void this.corpora?.model.refresh();
                  }}
                >
                  <refreshIcon.react tag="span" />
                </button>
              </header>
              <QueueHeader stats={stats} error={error} />
              {this.corpora && (
                <CorpusList
                  model={this.corpora.model}
                  actions={this.corpora.actions}
                />
              )}
              <ListTools model={this.model} />
              {jobs.length === 0 ? (
                <p className="jp-BookNLP-empty">
                  {this.model.hiddenCount
                    ? 'No jobs to show: the finished ones are dismissed.'
                    : 'No jobs yet. Right-click a .txt file and choose “Analyze with BookNLP” (a folder: “Analyze folder with BookNLP”), or run it from the command palette on a cell.'}
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
