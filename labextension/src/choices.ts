/**
 * The submit dialog's model list: which models the server names, which can run
 * now and, for the others, why not (pure; unit-tested in test/choices.test.ts).
 */

import { IReady, IStats } from './types';

/** One model in the submit dialog. */
export interface IModelChoice {
  name: string;
  available: boolean;
  /** Why it cannot run now and how to install it; null when available. */
  reason: string | null;
  isDefault: boolean;
}

/** What the server says about its models (`/v1/ready` and `/v1/jobs/stats`). */
export type ModelInfo = Partial<
  Pick<IStats, 'models' | 'available_models' | 'default_model'> &
    Pick<IReady, 'unavailable_models'>
>;

/** Said of a model the server does not list in `available_models`, with no reason. */
export const NOT_AVAILABLE = 'not available on this server now';

/**
 * Every model the server names, in its order, each marked available or not.
 * A server that sends neither `available_models` nor `unavailable_models`
 * (an older one) has all its models available.
 */
export function modelChoices(info: ModelInfo): IModelChoice[] {
  const unavailable = info.unavailable_models ?? {};
  const names = [...(info.models ?? [])];
  for (const name of Object.keys(unavailable)) {
    if (!names.includes(name)) {
      names.push(name);
    }
  }
  if (!names.length && info.default_model) {
    names.push(info.default_model);
  }
  const available = info.available_models;
  return names.map(name => {
    let reason: string | null = null;
    if (Object.prototype.hasOwnProperty.call(unavailable, name)) {
      reason = String(unavailable[name] || NOT_AVAILABLE);
    } else if (Array.isArray(available) && !available.includes(name)) {
      reason = NOT_AVAILABLE;
    }
    return {
      name,
      available: reason === null,
      reason,
      isDefault: name === info.default_model
    };
  });
}

/** The model to select first: the default if it can run, else the first that can. */
export function preferredModel(choices: IModelChoice[]): string | null {
  const usable = choices.filter(c => c.available);
  return (usable.find(c => c.isDefault) ?? usable[0])?.name ?? null;
}

/** `/v1/ready`'s answer over the polled stats: it is the one with the reasons. */
export function mergeModelInfo(
  stats: IStats | null,
  ready: IReady | null
): ModelInfo {
  return {
    default_model: stats?.default_model,
    models: ready?.models ?? stats?.models,
    available_models: ready?.available_models ?? stats?.available_models,
    unavailable_models: ready?.unavailable_models
  };
}
