import { APIError } from './api';

/** The plugin's command ids. */
export namespace CommandIDs {
  export const showPanel = 'booknlp:show-jobs';
  export const analyzeFile = 'booknlp:analyze-file';
  export const analyzeText = 'booknlp:analyze-text';
  export const analyze = 'booknlp:analyze';
  export const openJob = 'booknlp:open-job';
  export const openBook = 'booknlp:open-book';
  export const cancelJob = 'booknlp:cancel-job';
  export const stopJob = 'booknlp:stop-job';
  export const analyzeFolder = 'booknlp:analyze-folder';
  export const cancelCorpus = 'booknlp:cancel-corpus';
}

/** An error in words: the server's `detail` for API errors. */
export function message(error: unknown): string {
  return error instanceof APIError ? error.detail : String(error);
}
