import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  NOT_AVAILABLE,
  mergeModelInfo,
  modelChoices,
  preferredModel
} from '../src/choices';
import { IStats } from '../src/types';

const STATS: IStats = {
  running: 0,
  pending: 0,
  queue_size: 0,
  max_queue_size: 10,
  worker_running: true,
  devices: ['cpu'],
  models: ['lite', 'small', 'big'],
  default_model: 'lite',
  max_document_size: 5
};

test('an older server (no available_models): every model can run', () => {
  const choices = modelChoices(STATS);
  assert.deepEqual(
    choices.map(c => [c.name, c.available, c.reason, c.isDefault]),
    [
      ['lite', true, null, true],
      ['small', true, null, false],
      ['big', true, null, false]
    ]
  );
  assert.equal(preferredModel(choices), 'lite');
});

test('unavailable models carry their reason; others outside available_models a generic one', () => {
  const choices = modelChoices({
    ...STATS,
    available_models: ['lite'],
    unavailable_models: { small: 'pip install booknlp; download the models' }
  });
  const byName = Object.fromEntries(choices.map(c => [c.name, c]));
  assert.equal(byName.lite.available, true);
  assert.equal(byName.small.available, false);
  assert.equal(byName.small.reason, 'pip install booknlp; download the models');
  assert.equal(byName.big.available, false);
  assert.equal(byName.big.reason, NOT_AVAILABLE);
});

test('a model only unavailable_models names is listed too', () => {
  const names = modelChoices({
    models: ['lite'],
    unavailable_models: { custom: 'no model files' }
  }).map(c => c.name);
  assert.deepEqual(names, ['lite', 'custom']);
});

test('preferredModel: the default if it can run, else the first that can', () => {
  assert.equal(
    preferredModel(
      modelChoices({
        models: ['small', 'lite', 'big'],
        default_model: 'small',
        available_models: ['lite', 'big']
      })
    ),
    'lite'
  );
  assert.equal(
    preferredModel(modelChoices({ models: ['small'], available_models: [] })),
    null
  );
});

test('no model list: the default model alone', () => {
  assert.deepEqual(
    modelChoices({ default_model: 'lite' }).map(c => c.name),
    ['lite']
  );
  assert.deepEqual(modelChoices({}), []);
});

test('mergeModelInfo prefers /ready, falls back to the stats', () => {
  const stats = { ...STATS, available_models: ['lite', 'small'] };
  assert.deepEqual(mergeModelInfo(stats, null), {
    default_model: 'lite',
    models: ['lite', 'small', 'big'],
    available_models: ['lite', 'small'],
    unavailable_models: undefined
  });
  const ready = {
    ready: true,
    models: ['lite', 'small'],
    available_models: ['lite'],
    unavailable_models: { small: 'why' }
  };
  assert.deepEqual(mergeModelInfo(stats, ready), {
    default_model: 'lite',
    models: ['lite', 'small'],
    available_models: ['lite'],
    unavailable_models: { small: 'why' }
  });
});
