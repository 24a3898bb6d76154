import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  IJob,
  bookIdFromPath,
  describeJob,
  elapsedMs,
  errorSummary,
  formatDuration,
  isFinished,
  isReused,
  isTextFile,
  listLimit,
  openJobCode,
  pipelineToSend,
  pollInterval,
  submitOutcome,
  summarize
} from '../src/util';

function job(over: Partial<IJob>): IJob {
  return {
    job_id: 'j1',
    status: 'pending',
    progress: 0,
    stage: null,
    submitted_at: '2025-01-20T10:00:00.000Z',
    started_at: null,
    completed_at: null,
    error_message: null,
    queue_position: null,
    book_id: null,
    model: 'lite',
    pipeline: [],
    ...over
  };
}

const T0 = Date.parse('2025-01-20T10:00:00.000Z');

test('bookIdFromPath drops folders, the extension and forbidden characters', () => {
  assert.equal(
    bookIdFromPath('books/pride-and-prejudice.txt'),
    'pride-and-prejudice'
  );
  assert.equal(bookIdFromPath('a\\b\\c.md'), 'c');
  assert.equal(bookIdFromPath('.hidden'), '.hidden');
  assert.equal(bookIdFromPath('x\u0001y.txt'), 'xy');
  assert.equal(bookIdFromPath('a'.repeat(300) + '.txt').length, 128);
});

test('isTextFile', () => {
  assert.ok(isTextFile('a/B.TXT'));
  assert.ok(isTextFile('notes.md'));
  assert.ok(!isTextFile('x.ipynb'));
});

test('formatDuration', () => {
  assert.equal(formatDuration(-5), '0s');
  assert.equal(formatDuration(4200), '4s');
  assert.equal(formatDuration(65000), '1m 05s');
  assert.equal(formatDuration((2 * 3600 + 3 * 60 + 9) * 1000), '2h 03m');
});

test('elapsedMs per status', () => {
  assert.equal(elapsedMs(job({}), T0 + 3000), 3000);
  assert.equal(
    elapsedMs(
      job({ status: 'running', started_at: '2025-01-20T10:00:01.000Z' }),
      T0 + 5000
    ),
    4000
  );
  assert.equal(
    elapsedMs(
      job({
        status: 'completed',
        started_at: '2025-01-20T10:00:01.000Z',
        completed_at: '2025-01-20T10:00:03.500Z'
      }),
      T0 + 99999
    ),
    2500
  );
  assert.equal(
    elapsedMs(job({ status: 'completed', processing_time_ms: 1234 }), T0),
    1234
  );
  assert.equal(elapsedMs(job({ status: 'cancelled' }), T0), null);
});

test('describeJob', () => {
  assert.equal(
    describeJob(job({ queue_position: 2 }), T0 + 7000),
    '#2 in queue · waiting 7s · lite'
  );
  assert.equal(
    describeJob(
      job({
        status: 'running',
        progress: 42.7,
        stage: 'spacy',
        started_at: '2025-01-20T10:00:00.000Z'
      }),
      T0 + 61000
    ),
    '42% · spacy · 1m 01s · lite'
  );
});

test('summarize', () => {
  assert.equal(summarize(null), 'BookNLP: not connected');
  const stats = {
    running: 1,
    pending: 2,
    queue_size: 2,
    max_queue_size: 10,
    worker_running: true,
    devices: ['cpu'],
    models: ['lite'],
    default_model: 'lite',
    max_document_size: 5
  };
  assert.equal(summarize(stats), 'BookNLP: 1 running, 2 queued');
  assert.equal(
    summarize({ ...stats, running: 0, pending: 0 }),
    'BookNLP: idle'
  );
});

test('openJobCode quotes the id and loads the entities table', () => {
  const code = openJobCode('abc"1');
  assert.match(code, /from booknlp_jupyter\.client import Client/);
  assert.match(code, /Client\(\)\.job\("abc\\"1"\)\.frames\(\)/);
  assert.match(code, /frames\["entities"\]$/);
});

test('pipelineToSend omits a full pipeline and keeps canonical order', () => {
  assert.equal(
    pipelineToSend(['coref', 'entity', 'quote', 'supersense', 'event']),
    undefined
  );
  assert.deepEqual(pipelineToSend(['quote', 'entity']), ['entity', 'quote']);
  assert.deepEqual(pipelineToSend([]), []);
});

test('pollInterval is fast only while jobs are active', () => {
  assert.equal(pollInterval([job({ status: 'completed' })]), 5000);
  assert.equal(pollInterval([job({ status: 'running' })]), 1000);
  assert.equal(pollInterval([]), 5000);
});

test('describeJob says "already analyzed" for a job that reused a result', () => {
  const reused = job({
    status: 'completed',
    progress: 100,
    reused_from: 'j0',
    processing_time_ms: 0
  });
  assert.ok(isReused(reused));
  assert.equal(describeJob(reused, T0), 'already analyzed · lite');
  const fresh = job({ status: 'completed', progress: 100, reused_from: null });
  assert.ok(!isReused(fresh));
  // completing from the stored result, a moment after the submit answer
  const reusing = job({ status: 'pending', reused_from: 'j0' });
  assert.ok(isReused(reusing));
  assert.equal(describeJob(reusing, T0), 'already analyzed · lite');
  assert.ok(!isReused(job({ status: 'failed', reused_from: 'j0' })));
  assert.match(describeJob(fresh, T0), /^100% · /);
});

test('submitOutcome: by the job status, whatever the HTTP status', () => {
  assert.equal(submitOutcome(job({ status: 'pending' })), 'queued');
  assert.equal(submitOutcome(job({ status: 'running' })), 'queued');
  assert.equal(submitOutcome(job({ status: 'completed' })), 'analyzed');
  assert.equal(
    submitOutcome(job({ status: 'pending', reused_from: 'j0' })),
    'analyzed'
  );
  assert.equal(submitOutcome(job({ status: 'failed' })), 'failed');
  assert.equal(submitOutcome(job({ status: 'cancelled' })), 'failed');
});

test('isFinished: completed, failed, cancelled, expired', () => {
  const finished = ['completed', 'failed', 'cancelled', 'expired'] as const;
  for (const status of finished) {
    assert.ok(isFinished({ status }), status);
  }
  assert.ok(!isFinished({ status: 'pending' }));
  assert.ok(!isFinished({ status: 'running' }));
});

test('errorSummary: the first non-empty line and how many follow', () => {
  assert.deepEqual(errorSummary('boom'), { first: 'boom', more: 0 });
  assert.deepEqual(
    errorSummary('\n  RuntimeError: a\r\nline 2\n\nline 4\n\n'),
    { first: 'RuntimeError: a', more: 3 }
  );
  assert.deepEqual(errorSummary(' \n '), { first: '', more: 0 });
});

test('listLimit asks for the dismissed jobs on top of 50, up to 1000', () => {
  assert.equal(listLimit(0), 50);
  assert.equal(listLimit(7), 57);
  assert.equal(listLimit(-3), 50);
  assert.equal(listLimit(5000), 1000);
});
