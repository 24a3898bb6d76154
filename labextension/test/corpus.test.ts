import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  ICorpusView,
  corpusName,
  corpusPollInterval,
  defaultOutputDir,
  describeCorpus,
  folderName,
  formatEta,
  isCorpusActive,
  isCorpusMoving,
  needsDetail
} from '../src/corpus';

function corpus(over: Partial<ICorpusView>): ICorpusView {
  return {
    corpus_id: 'c1',
    status: 'running',
    books_total: 50,
    counts: { pending: 45, running: 1, completed: 3, failed: 1, cancelled: 0 },
    progress: 8.5,
    eta_seconds: 240,
    model: 'lite',
    pipeline: ['entity'],
    folder: 'novels',
    output_dir: 'booknlp_output/novels',
    output_path: '/srv/booknlp_output/novels',
    strip_gutenberg: false,
    owner: null,
    submitted_at: '2025-01-20T10:00:00.000Z',
    completed_at: null,
    books: [],
    ...over
  };
}

test('folderName takes the last part of a folder path', () => {
  assert.equal(folderName('novels/'), 'novels');
  assert.equal(folderName('a/b/novels'), 'novels');
  assert.equal(folderName('./novels/.'), 'novels');
  assert.equal(defaultOutputDir('shelf/novels/'), 'booknlp_output/novels');
});

test('corpusName: the folder, else the output folder', () => {
  assert.equal(corpusName(corpus({ folder: 'shelf/austen/' })), 'austen');
  assert.equal(
    corpusName(corpus({ folder: null, output_dir: 'out/picked' })),
    'picked'
  );
  assert.equal(corpusName(corpus({ folder: null, output_dir: '' })), 'c1');
});

test('formatEta rounds to seconds, minutes, hours', () => {
  assert.equal(formatEta(45.4), 'eta 45 s');
  assert.equal(formatEta(240), 'eta 4 min');
  assert.equal(formatEta(89), 'eta 1 min');
  assert.equal(formatEta(2 * 3600 + 5 * 60), 'eta 2 h 05 min');
  assert.equal(formatEta(-3), 'eta 0 s');
});

test('describeCorpus while running: done, running, failed, eta', () => {
  assert.equal(
    describeCorpus(corpus({})),
    '3/50 done · 1 running · 1 failed · eta 4 min'
  );
  assert.equal(
    describeCorpus(
      corpus({
        eta_seconds: null,
        counts: {
          pending: 50,
          running: 0,
          completed: 0,
          failed: 0,
          cancelled: 0
        },
        status: 'pending'
      })
    ),
    '0/50 done'
  );
});

test('describeCorpus once over: the counts and the time it took', () => {
  assert.equal(
    describeCorpus(
      corpus({
        status: 'completed',
        books_total: 3,
        counts: {
          pending: 0,
          running: 0,
          completed: 3,
          failed: 0,
          cancelled: 0
        },
        eta_seconds: 0,
        completed_at: '2025-01-20T10:01:05.000Z'
      })
    ),
    '3/3 done · took 1m 05s'
  );
  assert.equal(
    describeCorpus(
      corpus({
        status: 'cancelled',
        books_total: 4,
        counts: {
          pending: 0,
          running: 0,
          completed: 1,
          failed: 0,
          cancelled: 3
        },
        completed_at: null
      })
    ),
    '1/4 done · 3 cancelled'
  );
  // cancelled with a book still running: no "took" (it is not over)
  assert.equal(
    describeCorpus(
      corpus({
        status: 'cancelled',
        books_total: 2,
        counts: {
          pending: 0,
          running: 1,
          completed: 0,
          failed: 0,
          cancelled: 1
        },
        completed_at: '2025-01-20T10:00:01.000Z'
      })
    ),
    '0/2 done · 1 running · 1 cancelled'
  );
});

test('active corpora are polled every second', () => {
  assert.equal(isCorpusActive(corpus({ status: 'pending' })), true);
  assert.equal(isCorpusActive(corpus({ status: 'cancelled' })), false);
  assert.equal(
    corpusPollInterval([corpus({ status: 'completed' }), corpus({})]),
    1000
  );
  const over = corpus({
    status: 'cancelled',
    counts: { pending: 0, running: 0, completed: 1, failed: 0, cancelled: 3 }
  });
  assert.equal(corpusPollInterval([over]), 5000);
  // a cancel lets the running book finish: still polled fast
  assert.equal(isCorpusMoving(corpus({ status: 'cancelled' })), true);
  assert.equal(isCorpusMoving(over), false);
  assert.equal(corpusPollInterval([]), 5000);
});

test('needsDetail: unfetched, moving, or changed since', () => {
  const done = corpus({
    status: 'completed',
    progress: 100,
    counts: { pending: 0, running: 0, completed: 50, failed: 0, cancelled: 0 }
  });
  assert.equal(needsDetail(done, undefined), true);
  assert.equal(needsDetail(done, done), false);
  assert.equal(needsDetail(done, corpus({ progress: 100 })), true);
  assert.equal(needsDetail(done, { ...done, status: 'cancelled' }), true);
  assert.equal(
    needsDetail(done, corpus({ status: 'cancelled', progress: 40 })),
    true
  );
});
