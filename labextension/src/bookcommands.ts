/** `booknlp:open-book`: a finished job's book view in a main-area tab. */
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';

import { BookNLPAPI } from './api';
import { BookView, Section } from './bookview';
import { CommandIDs, message } from './commandids';
import { bookIcon } from './icon';
import { JobsModel } from './model';
import { IJob } from './types';

export function addBookCommands(
  app: JupyterFrontEnd,
  api: BookNLPAPI,
  model: JobsModel,
  restorer: ILayoutRestorer | null
): void {
  const { commands, shell } = app;
  const tracker = new WidgetTracker<MainAreaWidget<BookView>>({
    namespace: 'booknlp-book'
  });
  void restorer?.restore(tracker, {
    command: CommandIDs.openBook,
    args: widget => ({ jobId: widget.content.jobId }),
    name: widget => widget.content.jobId
  });

  commands.addCommand(CommandIDs.openBook, {
    label: 'Open BookNLP Book View',
    caption:
      'The finished job’s characters, quotes, text and network, in a tab',
    icon: bookIcon,
    execute: async args => {
      const jobId = String(args.jobId);
      const open = tracker.find(w => w.content.jobId === jobId);
      if (open) {
        shell.activateById(open.id);
        return open;
      }
      let job: IJob | undefined = model.allJobs.find(j => j.job_id === jobId);
      if (!job) {
        try {
          job = await api.getJob(jobId);
        } catch (error) {
          Notification.error(
            `BookNLP could not open job ${jobId}: ${message(error)}`,
            { autoClose: false }
          );
          return;
        }
      }
      const content = new BookView(
        api,
        job,
        (args.section as Section | undefined) ?? 'characters'
      );
      const widget = new MainAreaWidget({ content });
      widget.id = `booknlp-book-${jobId}`;
      widget.addClass('jp-BookNLP-bookpanel');
      widget.title.label = job.book_id || jobId;
      widget.title.caption = `BookNLP result of ${job.book_id || 'job'} (${jobId})`;
      widget.title.icon = bookIcon;
      widget.title.closable = true;
      void tracker.add(widget);
      shell.add(widget, 'main');
      shell.activateById(widget.id);
      return widget;
    }
  });
}
