import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';

import { BookNLPAPI } from './api';
import { addBookCommands } from './bookcommands';
import { CommandIDs, message } from './commandids';
import { addCorpusCommands, usableModels } from './corpuscommands';
import { CorporaModel } from './corpusmodel';
import { IEditorLike, documentOf, editorText } from './editor';
import { bookIcon } from './icon';
import { addJobCommands, announceFailures } from './jobcommands';
import { JobsModel } from './model';
import { JobsPanel } from './panel';
import { QueueStatus } from './statusbar';
import { askSubmit } from './submit';
import { IJob, bookIdFromPath, isTextFile, submitOutcome } from './util';

const CATEGORY = 'BookNLP';

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
    const corpora = new CorporaModel(api);
    const { commands, shell } = app;

    const showPanel = () => shell.activateById(panel.id);

    const panel = new JobsPanel(
      model,
      {
        cancel: job =>
          void commands.execute(CommandIDs.cancelJob, { jobId: job.job_id }),
        stop: job =>
          void commands.execute(CommandIDs.stopJob, { jobId: job.job_id }),
        open: job =>
          void commands.execute(CommandIDs.openJob, { jobId: job.job_id }),
        openBook: job =>
          void commands.execute(CommandIDs.openBook, { jobId: job.job_id }),
        dismiss: job => model.dismiss([job]),
        analyze: () => void commands.execute(CommandIDs.analyze)
      },
      {
        model: corpora,
        actions: {
          cancel: corpus =>
            void commands.execute(CommandIDs.cancelCorpus, {
              corpusId: corpus.corpus_id
            })
        }
      }
    );
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
      const models = await usableModels(api, model, source);
      if (!models) {
        return;
      }
      const choice = await askSubmit({
        source,
        chars: text.length,
        bookId,
        models
      });
      if (!choice) {
        return;
      }
      const label = choice.bookId || source;
      let job: IJob;
      try {
        job = await api.submit({
          text,
          book_id: choice.bookId || undefined,
          model: choice.model,
          pipeline: choice.pipeline
        });
      } catch (error) {
        Notification.error(
          `BookNLP could not queue “${label}”: ${message(error)}`,
          { autoClose: false }
        );
        return;
      }
      const outcome = submitOutcome(job);
      if (outcome === 'analyzed') {
        const how = job.reused_from
          ? `job ${job.job_id} reuses the result of job ${job.reused_from}`
          : `the result is ready (${job.job_id})`;
        Notification.success(`BookNLP already analyzed “${label}”: ${how}.`, {
          autoClose: 6000,
          actions: [
            {
              label: 'Open',
              callback: () =>
                void commands.execute(CommandIDs.openBook, {
                  jobId: job.job_id
                })
            },
            {
              label: 'Open in notebook',
              callback: () =>
                void commands.execute(CommandIDs.openJob, {
                  jobId: job.job_id
                })
            }
          ]
        });
      } else if (outcome === 'queued') {
        Notification.success(`BookNLP queued “${label}” (${job.job_id}).`, {
          autoClose: 4000
        });
      } else {
        model.reportFailed(job);
      }
      showPanel();
      await model.refresh();
    };

    announceFailures(model, showPanel);

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

    addJobCommands(app, api, model, notebooks);
    addBookCommands(app, api, model, restorer);
    addCorpusCommands(app, api, model, corpora, fileBrowser, showPanel);

    app.contextMenu.addItem({
      command: CommandIDs.analyzeFile,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 3
    });
    app.contextMenu.addItem({
      command: CommandIDs.analyzeFolder,
      selector: '.jp-DirListing-item[data-isdir="true"]',
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
        CommandIDs.analyzeFolder,
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
    void corpora.refresh();
    return;
  }
};

export default plugin;
export type { IJob };
