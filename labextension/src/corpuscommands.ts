/**
 * The corpus commands: "Analyze folder with BookNLP" on a folder of the file
 * browser, and cancelling a corpus from the panel.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';

import { BookNLPAPI } from './api';
import { IModelChoice, mergeModelInfo, modelChoices } from './choices';
import { CommandIDs, message } from './commandids';
import {
  ICorpusRequest,
  ICorpusView,
  corpusName,
  defaultOutputDir,
  folderName
} from './corpus';
import { CorporaModel } from './corpusmodel';
import { bookIcon } from './icon';
import { JobsModel } from './model';
import { askSubmit } from './submit';

/**
 * The server's models for the submit dialog (`/v1/ready` says which can run
 * and why the others cannot); null, with an error shown, when none can run.
 */
export async function usableModels(
  api: BookNLPAPI,
  jobs: JobsModel,
  source: string
): Promise<IModelChoice[] | null> {
  const [stats, ready] = await Promise.all([
    jobs.stats ?? api.stats().catch(() => null),
    api.ready().catch(() => null)
  ]);
  const models = modelChoices(mergeModelInfo(stats, ready));
  if (models.length && !models.some(c => c.available)) {
    Notification.error(
      `BookNLP cannot analyze ${source}: no model can run on this server now. ` +
        models.map(c => `${c.name}: ${c.reason}`).join('; '),
      { autoClose: false }
    );
    return null;
  }
  return models;
}

/** How many `.txt` files a folder holds, in words ('' if it cannot be listed). */
async function describeFolder(
  app: JupyterFrontEnd,
  path: string
): Promise<string> {
  try {
    const listing = await app.serviceManager.contents.get(path, {
      content: true,
      type: 'directory'
    });
    const items = (listing.content ?? []) as { type: string; name: string }[];
    const n = items.filter(
      i => i.type !== 'directory' && i.name.toLowerCase().endsWith('.txt')
    ).length;
    return `${n} .txt file${n === 1 ? '' : 's'}`;
  } catch {
    return 'a folder';
  }
}

/** Register `booknlp:analyze-folder` and `booknlp:cancel-corpus`. */
export function addCorpusCommands(
  app: JupyterFrontEnd,
  api: BookNLPAPI,
  jobs: JobsModel,
  corpora: CorporaModel,
  fileBrowser: IDefaultFileBrowser | null,
  showPanel: () => void
): void {
  const { commands } = app;

  /** The folder selected in the file browser, else (palette) the open one. */
  const selectedFolder = (isPalette: boolean): string | null => {
    if (!fileBrowser) {
      return null;
    }
    for (const item of fileBrowser.selectedItems()) {
      if (item.type === 'directory') {
        return item.path;
      }
    }
    return isPalette && fileBrowser.model.path ? fileBrowser.model.path : null;
  };

  commands.addCommand(CommandIDs.analyzeFolder, {
    label: args =>
      args.isPalette
        ? 'Analyze Folder with BookNLP'
        : 'Analyze folder with BookNLP',
    caption:
      'Queue every .txt file of a folder for BookNLP, as one corpus; ' +
      'the output files go to booknlp_output/<folder>',
    icon: args => (args.isPalette ? undefined : bookIcon),
    isEnabled: args => !!(args.path || selectedFolder(!!args.isPalette)),
    execute: async args => {
      const folder =
        (args.path as string | undefined) ?? selectedFolder(!!args.isPalette);
      if (!folder) {
        Notification.warning('BookNLP: select a folder first.', {
          autoClose: 5000
        });
        return;
      }
      const name = folderName(folder);
      const source = `Folder ${folder}`;
      const [models, detail] = await Promise.all([
        usableModels(api, jobs, source),
        describeFolder(app, folder)
      ]);
      if (!models) {
        return;
      }
      const outputDir = defaultOutputDir(folder);
      const choice = await askSubmit(
        { source, detail, outputDir, models },
        'Analyze folder with BookNLP'
      );
      if (!choice) {
        return;
      }
      const body: ICorpusRequest = { folder };
      if (choice.model) {
        body.model = choice.model;
      }
      if (choice.pipeline) {
        body.pipeline = choice.pipeline;
      }
      if (choice.outputDir && choice.outputDir !== outputDir) {
        body.output_dir = choice.outputDir;
      }
      let view: ICorpusView;
      try {
        view = await api.submitCorpus(body);
      } catch (error) {
        Notification.error(
          `BookNLP could not analyze folder “${name}”: ${message(error)}`,
          { autoClose: false }
        );
        return;
      }
      const books = `${view.books_total} book${view.books_total === 1 ? '' : 's'}`;
      Notification.success(
        `BookNLP queued folder “${name}”: ${books} → ${view.output_dir}.`,
        { autoClose: 5000 }
      );
      corpora.update(view);
      showPanel();
      await Promise.all([corpora.refresh(), jobs.refresh()]);
    }
  });

  commands.addCommand(CommandIDs.cancelCorpus, {
    label: 'Cancel BookNLP Corpus',
    execute: async args => {
      const corpusId = String(args.corpusId);
      const corpus = corpora.corpora.find(c => c.corpus_id === corpusId);
      const name = corpus ? corpusName(corpus) : corpusId;
      const left = corpus ? corpus.counts.pending : 0;
      const answer = await showDialog({
        title: 'Cancel this corpus?',
        body:
          `The ${left} book${left === 1 ? '' : 's'} of “${name}” not started will not run; ` +
          'a book running now finishes. The files written so far stay.',
        buttons: [
          Dialog.cancelButton({ label: 'Keep running' }),
          Dialog.warnButton({ label: 'Cancel corpus' })
        ]
      });
      if (!answer.button.accept) {
        return;
      }
      try {
        corpora.update(await api.cancelCorpus(corpusId));
        Notification.info(`BookNLP corpus “${name}” cancelled.`, {
          autoClose: 3000
        });
      } catch (error) {
        Notification.error(
          `BookNLP could not cancel corpus “${name}”: ${message(error)}`,
          { autoClose: false }
        );
      }
      await Promise.all([corpora.refresh(), jobs.refresh()]);
    }
  });
}
