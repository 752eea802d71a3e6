import type { DriftSettings } from './settings.js';

export interface Windows {
  baseline: number[];
  current: number[];
}

/**
 * The earliest `baselineWindow` and the latest `currentWindow` values. With too few values for both,
 * the two halves of the series (the middle value of an odd count goes to the current half), so the
 * windows never share a value and the rank test compares two independent samples.
 */
export function splitWindows(values: readonly number[], settings: Pick<DriftSettings, 'baselineWindow' | 'currentWindow'>): Windows {
  const n = values.length;
  if (n >= settings.baselineWindow + settings.currentWindow) {
    return { baseline: values.slice(0, settings.baselineWindow), current: values.slice(n - settings.currentWindow) };
  }
  const half = Math.floor(n / 2);
  return { baseline: values.slice(0, half), current: values.slice(half) };
}
