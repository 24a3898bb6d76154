import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Widget } from '@lumino/widgets';

import { APIError, BookNLPAPI } from './api';
import { bookIcon } from './icon';
import { JobsModel } from './model';
import { JobsPanel } from './panel';
import { QueueStatus } from './statusbar';
import { askSubmit } from './submit';
import { IJob, bookIdFromPath, isTextFile, openJobCode } from './util';

namespace CommandIDs {
  export const showPanel = 'booknlp:show-jobs';
  export const analyzeFile = 'booknlp:analyze-file';
  export const analyzeText = 'booknlp:analyze-text';
  export const analyze = 'booknlp:analyze';
  export const openJob = 'booknlp:open-job';
  export const cancelJob = 'booknlp:cancel-job';
  export const stopJob = 'booknlp:stop-job';
}

const CATEGORY = 'BookNLP';

function message(error: unknown): string {
  return error instanceof APIError ? error.detail : String(error);
}

/** An editor's text: its selection if it has one, else all of it. */
interface IEditorLike {
  model: { sharedModel: { getSource(): string } };
  getSelection(): {
    start: { line: number; column: number };
    end: { line: number; column: number };
  };
  getOffsetAt(position: { line: number; column: number }): number;
}

function editorText(editor: IEditorLike): { text: string; selected: boolean } {
  const source = editor.model.sharedModel.getSource();
  const range = editor.getSelection();
  const a = editor.getOffsetAt(range.start);
  const b = editor.getOffsetAt(range.end);
  if (a !== b) {
    return {
      text: source.slice(Math.min(a, b), Math.max(a, b)),
      selected: true
    };
  }
  return { text: source, selected: false };
}

/** A document widget's path and editor, when it has them (file editors). */
function documentOf(widget: Widget | null): {
  path: string | null;
  editor: IEditorLike | null;
} {
  const w = widget as unknown as {
    context?: { path?: unknown };
    content?: { editor?: unknown };
  } | null;
  const path = w && typeof w.context?.path === 'string' ? w.context.path : null;
  const editor = (w?.content?.editor ?? null) as IEditorLike | null;
  return {
    path,
    editor: editor && typeof editor.getSelection === 'function' ? editor : null
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'booknlp-jupyter-lab:plugin',
  description:
    'A panel for BookNLP jobs: the live queue, submit, cancel and open results.',
  autoStart: true,
  optional: [
    ICommandPalette,
    ILayoutRestorer,
    IStatusBar,
    IDefaultFileBrowser,
    INotebookTracker
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    statusBar: IStatusBar | null,
    fileBrowser: IDefaultFileBrowser | null,
    notebooks: INotebookTracker | null
  ) => {
    const api = new BookNLPAPI(app.serviceManager.serverSettings);
    const model = new JobsModel(api);
    const { commands, shell } = app;

    const showPanel = () => shell.activateById(panel.id);

    const panel = new JobsPanel(model, {
      cancel: job =>
        void commands.execute(CommandIDs.cancelJob, { jobId: job.job_id }),
      stop: job =>
        void commands.execute(CommandIDs.stopJob, { jobId: job.job_id }),
      open: job =>
        void commands.execute(CommandIDs.openJob, { jobId: job.job_id }),
      analyze: () => void commands.execute(CommandIDs.analyze)
    });
    shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, 'booknlp-jobs');

    /** The selected file in the file browser, if it is a text file. */
    const selectedTextFile = (): string | null => {
      if (!fileBrowser) {
        return null;
      }
      for (const item of fileBrowser.selectedItems()) {
        if (item.type !== 'directory' && isTextFile(item.path)) {
          return item.path;
        }
      }
      return null;
    };

    /** The text to analyze in the main area: the active cell or text editor. */
    const currentText = (): {
      text: string;
      source: string;
      bookId: string;
    } | null => {
      const widget = shell.currentWidget;
      if (notebooks && widget && widget === notebooks.currentWidget) {
        const nb = notebooks.currentWidget.content;
        const cell = nb.activeCell;
        if (!cell) {
          return null;
        }
        const { text, selected } = editorText(
          cell.editor as unknown as IEditorLike
        );
        const path = notebooks.currentWidget.context.path;
        return {
          text,
          source: selected
            ? `Selected text in cell ${nb.activeCellIndex + 1} of ${path}`
            : `Cell ${nb.activeCellIndex + 1} of ${path}`,
          bookId: `${bookIdFromPath(path)}-cell-${nb.activeCellIndex + 1}`
        };
      }
      const { path, editor } = documentOf(widget);
      if (path && editor) {
        const { text, selected } = editorText(editor);
        return {
          text,
          source: selected ? `Selected text in ${path}` : path,
          bookId: bookIdFromPath(path)
        };
      }
      return null;
    };

    const submit = async (text: string, source: string, bookId: string) => {
      if (!text.trim()) {
        Notification.warning(`BookNLP: ${source} has no text to analyze.`, {
          autoClose: 5000
        });
        return;
      }
      let stats = model.stats;
      if (!stats) {
        stats = await api.stats().catch(() => null);
      }
      const choice = await askSubmit({
        source,
        chars: text.length,
        bookId,
        models: stats?.models ?? [],
        defaultModel: stats?.default_model
      });
      if (!choice) {
        return;
      }
      const label = choice.bookId || source;
      try {
        const job = await api.submit({
          text,
          book_id: choice.bookId || undefined,
          model: choice.model,
          pipeline: choice.pipeline
        });
        Notification.success(`BookNLP queued “${label}” (${job.job_id}).`, {
          autoClose: 4000
        });
        showPanel();
        await model.refresh();
      } catch (error) {
        Notification.error(
          `BookNLP could not queue “${label}”: ${message(error)}`,
          {
            autoClose: false
          }
        );
      }
    };

    commands.addCommand(CommandIDs.showPanel, {
      label: 'Show BookNLP Jobs',
      caption: 'The BookNLP queue and its jobs',
      icon: bookIcon,
      execute: showPanel
    });

    commands.addCommand(CommandIDs.analyzeFile, {
      label: args =>
        args.isPalette
          ? 'Analyze Selected File with BookNLP'
          : 'Analyze with BookNLP',
      caption: 'Queue a text file for BookNLP',
      icon: args => (args.isPalette ? undefined : bookIcon),
      isVisible: args => !!(args.isPalette || args.path || selectedTextFile()),
      isEnabled: args =>
        !!(
          args.path ||
          selectedTextFile() ||
          documentOf(shell.currentWidget).path
        ),
      execute: async args => {
        const path =
          (args.path as string | undefined) ??
          selectedTextFile() ??
          documentOf(shell.currentWidget).path;
        if (!path) {
          Notification.warning('BookNLP: select a text file first.', {
            autoClose: 5000
          });
          return;
        }
        let text: string;
        try {
          const file = await app.serviceManager.contents.get(path, {
            content: true,
            format: 'text',
            type: 'file'
          });
          text = String(file.content ?? '');
        } catch (error) {
          Notification.error(
            `BookNLP could not read ${path}: ${String(error)}`,
            {
              autoClose: false
            }
          );
          return;
        }
        await submit(text, `File ${path}`, bookIdFromPath(path));
      }
    });

    commands.addCommand(CommandIDs.analyzeText, {
      label: () => {
        const current = currentText();
        return current && current.source.startsWith('Selected')
          ? 'Analyze Selected Text with BookNLP'
          : 'Analyze Cell or Editor Text with BookNLP';
      },
      caption: 'Queue the selected text, or the active cell’s or editor’s text',
      isEnabled: () => currentText() !== null,
      execute: async () => {
        const current = currentText();
        if (!current) {
          Notification.warning(
            'BookNLP: open a notebook or a text editor to analyze its text.',
            { autoClose: 5000 }
          );
          return;
        }
        await submit(current.text, current.source, current.bookId);
      }
    });

    commands.addCommand(CommandIDs.analyze, {
      label: 'Analyze with BookNLP…',
      execute: async () => {
        if (currentText()) {
          return commands.execute(CommandIDs.analyzeText);
        }
        if (selectedTextFile()) {
          return commands.execute(CommandIDs.analyzeFile);
        }
        Notification.info(
          'BookNLP: select a .txt file in the file browser, or put the cursor in a notebook cell or a text editor.',
          { autoClose: 6000 }
        );
      }
    });

    commands.addCommand(CommandIDs.cancelJob, {
      label: 'Cancel BookNLP Job',
      execute: async args => {
        const jobId = String(args.jobId);
        const job = model.jobs.find(j => j.job_id === jobId);
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
        const job = model.jobs.find(j => j.job_id === jobId);
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

    app.contextMenu.addItem({
      command: CommandIDs.analyzeFile,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 3
    });
    app.contextMenu.addItem({
      command: CommandIDs.analyzeText,
      selector: '.jp-Notebook .jp-Cell',
      rank: 100
    });
    app.contextMenu.addItem({
      command: CommandIDs.analyzeText,
      selector: '.jp-FileEditor',
      rank: 100
    });

    if (palette) {
      for (const command of [
        CommandIDs.showPanel,
        CommandIDs.analyzeFile,
        CommandIDs.analyzeText
      ]) {
        palette.addItem({
          command,
          category: CATEGORY,
          args: { isPalette: true }
        });
      }
    }

    if (statusBar) {
      const item = new QueueStatus(model, showPanel);
      statusBar.registerStatusItem('booknlp-jupyter-lab:status', {
        item,
        align: 'left',
        rank: 50,
        activeStateChanged: model.changed
      });
    }

    void model.refresh();
    return;
  }
};

export default plugin;
export type { IJob };
