import { defineConfig } from '@playwright/test';

/**
 * Runs against a JupyterLab that tests/test_lab_ui.py starts (BOOKNLP_LAB_URL,
 * BOOKNLP_LAB_TOKEN), in Debian's Chromium: no browser download, no video, no trace.
 */
export default defineConfig({
  testDir: './tests',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  outputDir: './test-results',
  reporter: [['list']],
  use: {
    viewport: { width: 1366, height: 800 },
    video: 'off',
    trace: 'off',
    screenshot: 'off',
    actionTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.BOOKNLP_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage'
      ]
    }
  }
});
