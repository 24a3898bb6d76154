import { defineConfig } from '@playwright/test';

import base from './playwright.config';

/**
 * The book view benchmark (./bench), run by bench/bookview_bench.py against
 * its own JupyterLab; not part of the test suite.
 */
export default defineConfig({
  ...base,
  testDir: './bench',
  outputDir: './test-results/bench',
  timeout: 600_000
});
