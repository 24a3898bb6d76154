import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { bookIcon } from './icon';
import { JobsModel } from './model';
import { summarize } from './util';

/** The status bar item: the queue in a few words; a click opens the panel. */
export class QueueStatus extends ReactWidget {
  constructor(
    readonly model: JobsModel,
    readonly onClick: () => void
  ) {
    super();
    this.addClass('jp-BookNLP-status');
    this.addClass('jp-mod-highlighted');
    this.node.title = 'BookNLP queue: click to show the jobs';
    this.node.addEventListener('click', () => this.onClick());
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => {
          const stats = this.model.stats;
          const busy = !!stats && (stats.running > 0 || stats.pending > 0);
          return (
            <span
              className="jp-BookNLP-status-text"
              data-busy={busy ? 'true' : 'false'}
            >
              <bookIcon.react tag="span" className="jp-BookNLP-status-icon" />
              {summarize(this.model.error ? null : stats)}
            </span>
          );
        }}
      </UseSignal>
    );
  }
}
