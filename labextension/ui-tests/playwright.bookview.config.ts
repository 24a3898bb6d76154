import { defineConfig } from '@playwright/test';

import base from './playwright.config';

/**
 * The book view suite (./bookview), run by tests/test_lab_bookview.py against
 * its own JupyterLab: the same browser and settings as the panel suite.
 */
export default defineConfig({
  ...base,
  testDir: './bookview',
  outputDir: './test-results/bookview'
});
