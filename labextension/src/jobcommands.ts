/**
 * The commands on one job (cancel, stop, open in a notebook) and the
 * notification of a failed job.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';

import { BookNLPAPI } from './api';
import { CommandIDs, message } from './commandids';
import { JobsModel } from './model';
import { errorSummary, openJobCode } from './util';

/** Register `booknlp:cancel-job`, `booknlp:stop-job` and `booknlp:open-job`. */
export function addJobCommands(
  app: JupyterFrontEnd,
  api: BookNLPAPI,
  model: JobsModel,
  notebooks: INotebookTracker | null
): void {
  const { commands, shell } = app;
  commands.addCommand(CommandIDs.cancelJob, {
    label: 'Cancel BookNLP Job',
    execute: async args => {
      const jobId = String(args.jobId);
      const job = model.allJobs.find(j => j.job_id === jobId);
      const name = job?.book_id || jobId;
      try {
        await api.cancel(jobId);
        Notification.info(`BookNLP job “${name}” cancelled.`, {
          autoClose: 3000
        });
      } catch (error) {
        Notification.error(
          `BookNLP could not cancel “${name}”: ${message(error)}`,
          {
            autoClose: false
          }
        );
      }
      await model.refresh();
    }
  });

  commands.addCommand(CommandIDs.stopJob, {
    label: 'Stop Running BookNLP Job',
    execute: async args => {
      const jobId = String(args.jobId);
      const job = model.allJobs.find(j => j.job_id === jobId);
      const name = job?.book_id || jobId;
      const answer = await showDialog({
        title: 'Stop this BookNLP job?',
        body: `“${name}” is running. Stopping it ends its worker process (a new one starts for the next job) and its work so far is lost.`,
        buttons: [
          Dialog.cancelButton({ label: 'Keep running' }),
          Dialog.warnButton({ label: 'Stop job' })
        ]
      });
      if (!answer.button.accept) {
        return;
      }
      try {
        await api.cancel(jobId, true);
        Notification.info(`BookNLP job “${name}” stopped.`, {
          autoClose: 3000
        });
      } catch (error) {
        Notification.error(
          `BookNLP could not stop “${name}”: ${message(error)}`,
          {
            autoClose: false
          }
        );
      }
      await model.refresh();
    }
  });

  commands.addCommand(CommandIDs.openJob, {
    label: 'Open BookNLP Job in a Notebook',
    caption: 'Insert a cell that loads the job’s DataFrames, and run it',
    execute: async args => {
      const jobId = String(args.jobId);
      if (!notebooks) {
        Notification.error('BookNLP: the notebook plugin is not available.');
        return;
      }
      try {
        let nbPanel: NotebookPanel | null = notebooks.currentWidget;
        let reuseActive = false;
        if (!nbPanel || !nbPanel.isAttached) {
          nbPanel = (await commands.execute('notebook:create-new', {
            kernelName: app.serviceManager.kernelspecs.specs?.default
          })) as NotebookPanel;
          await nbPanel.context.ready;
          reuseActive = true; // the new notebook's empty first cell
        }
        shell.activateById(nbPanel.id);
        const nb = nbPanel.content;
        const active = nb.activeCell;
        if (
          !reuseActive ||
          !active ||
          active.model.type !== 'code' ||
          active.model.sharedModel.getSource().trim() !== ''
        ) {
          NotebookActions.insertBelow(nb);
          NotebookActions.changeCellType(nb, 'code');
        }
        nb.activeCell!.model.sharedModel.setSource(openJobCode(jobId));
        await nbPanel.sessionContext.ready;
        await NotebookActions.run(nb, nbPanel.sessionContext);
      } catch (error) {
        Notification.error(
          `BookNLP could not open job ${jobId}: ${String(error)}`,
          {
            autoClose: false
          }
        );
      }
    }
  });
}

/** Scroll the panel to a job's row and expand its error. */
function showError(jobId: string): void {
  requestAnimationFrame(() => {
    const row = document.querySelector(
      `#booknlp-jobs .jp-BookNLP-job[data-job-id="${CSS.escape(jobId)}"]`
    );
    const details = row?.querySelector('details');
    if (details) {
      details.open = true;
    }
    row?.scrollIntoView({ block: 'nearest' });
  });
}

/** Each failed job once, as an error notification with its error's first line. */
export function announceFailures(
  model: JobsModel,
  showPanel: () => void
): void {
  model.jobFailed.connect((_, job) => {
    const { first, more } = errorSummary(job.error_message ?? '');
    const head = first.length > 200 ? `${first.slice(0, 200)}…` : first;
    const extra = more ? ` (+${more} more line${more === 1 ? '' : 's'})` : '';
    Notification.error(
      `BookNLP job “${job.book_id || job.job_id}” failed: ${head || 'no error message'}${extra}`,
      {
        autoClose: false,
        actions: [
          {
            label: 'Show error',
            callback: () => {
              showPanel();
              showError(job.job_id);
            }
          }
        ]
      }
    );
  });
}
