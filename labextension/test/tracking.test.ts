import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  DismissedJobs,
  FailureTracker,
  IKeyValueStorage
} from '../src/tracking';
import { IJob, JobStatus } from '../src/types';

function job(job_id: string, status: JobStatus): IJob {
  return {
    job_id,
    status,
    progress: 0,
    stage: null,
    submitted_at: null,
    started_at: null,
    completed_at: null,
    error_message: status === 'failed' ? 'RuntimeError: boom' : null,
    queue_position: null,
    book_id: null,
    model: 'lite',
    pipeline: []
  };
}

class MemoryStorage implements IKeyValueStorage {
  data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

test('FailureTracker: the first list is a baseline; each failure is news once', () => {
  const tracker = new FailureTracker();
  assert.deepEqual(
    tracker.update([job('old', 'failed'), job('a', 'running')]),
    []
  );
  assert.deepEqual(
    tracker.update([job('old', 'failed'), job('a', 'running')]),
    []
  );
  const news = tracker.update([job('old', 'failed'), job('a', 'failed')]);
  assert.deepEqual(
    news.map(j => j.job_id),
    ['a']
  );
  assert.deepEqual(tracker.update([job('a', 'failed')]), []);
  // a failure claimed elsewhere (the submit answer) is not reported again
  assert.ok(tracker.claim('b'));
  assert.ok(!tracker.claim('b'));
  assert.deepEqual(tracker.update([job('b', 'failed')]), []);
});

test('DismissedJobs keeps finished ids in storage, across instances', () => {
  const storage = new MemoryStorage();
  const first = new DismissedJobs(storage, 'k');
  assert.equal(
    first.dismiss([
      job('a', 'completed'),
      job('b', 'running'),
      job('c', 'failed')
    ]),
    2
  );
  assert.ok(first.has('a') && first.has('c') && !first.has('b'));
  assert.equal(first.dismiss([job('a', 'completed')]), 0);
  const again = new DismissedJobs(storage, 'k');
  assert.equal(again.size, 2);
  assert.ok(again.has('a') && again.has('c'));
  assert.equal(new DismissedJobs(storage, 'other').size, 0);
  again.clear();
  assert.equal(new DismissedJobs(storage, 'k').size, 0);
});

test('DismissedJobs forgets the oldest past its maximum, and reloads', () => {
  const storage = new MemoryStorage();
  const list = new DismissedJobs(storage, 'k', 3);
  list.dismiss(['1', '2', '3', '4'].map(id => job(id, 'cancelled')));
  assert.deepEqual(JSON.parse(storage.getItem('k')!), ['2', '3', '4']);
  const other = new DismissedJobs(storage, 'k', 3);
  other.dismiss([job('5', 'expired')]);
  list.reload();
  assert.ok(list.has('5') && !list.has('2'));
});

test('DismissedJobs survives broken or missing storage', () => {
  const storage = new MemoryStorage();
  storage.setItem('k', '{not json');
  assert.equal(new DismissedJobs(storage, 'k').size, 0);
  storage.setItem('k', JSON.stringify(['a', 3, null]));
  assert.equal(new DismissedJobs(storage, 'k').size, 1);
  const none = new DismissedJobs(null, 'k');
  assert.equal(none.dismiss([job('x', 'failed')]), 1);
  assert.ok(none.has('x'));
  const full: IKeyValueStorage = {
    getItem: () => null,
    setItem: () => {
      throw new Error('QuotaExceededError');
    },
    removeItem: () => undefined
  };
  const kept = new DismissedJobs(full, 'k');
  assert.equal(kept.dismiss([job('y', 'completed')]), 1);
  assert.ok(kept.has('y'));
});
