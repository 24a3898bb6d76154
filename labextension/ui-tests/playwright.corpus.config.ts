import { defineConfig } from '@playwright/test';

import base from './playwright.config';

/**
 * The corpus suite (./corpus), run by tests/test_lab_corpus.py against its own
 * JupyterLab: the same browser and settings as the panel suite.
 */
export default defineConfig({
  ...base,
  testDir: './corpus',
  outputDir: './test-results/corpus'
});
