// Reference detectors the engine is compared with, written from their papers, each a few dozen
// lines. Each sees one value at a time and says whether it signals a change now.

export interface OnlineDetector {
  push(value: number): boolean;
}

/**
 * The original CrossBridge rule: the mean of the last third against the mean of the first third,
 * a relative change of 10 % or more is drift (MODERATE in its vocabulary). From three points.
 */
export function crossBridgeRule(threshold = 0.1): OnlineDetector {
  const values: number[] = [];
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    push(value) {
      values.push(value);
      if (values.length < 3) return false;
      const third = Math.floor(values.length / 3);
      const first = meanOf(values.slice(0, third));
      const last = meanOf(values.slice(-third));
      return first > 0 && Math.abs(last - first) / first >= threshold;
    },
  };
}

/**
 * Page-Hinkley (Page 1954, "Continuous inspection schemes", Biometrika 41; Hinkley 1971, "Inference
 * about the change-point from cumulative sum tests", Biometrika 58), two-sided, as river implements
 * it: the cumulative deviation from the running mean, less a tolerance delta, against its own running
 * extreme; a gap over lambda is a change. Silent for its first `minInstances` points.
 */
export function pageHinkley(lambda: number, delta = 0.005, minInstances = 30): OnlineDetector {
  let n = 0;
  let runningMean = 0;
  let sumUp = 0;
  let minUp = 0;
  let sumDown = 0;
  let maxDown = 0;
  return {
    push(value) {
      n++;
      runningMean += (value - runningMean) / n;
      sumUp += value - runningMean - delta;
      minUp = Math.min(minUp, sumUp);
      sumDown += value - runningMean + delta;
      maxDown = Math.max(maxDown, sumDown);
      if (n < minInstances) return false;
      return sumUp - minUp > lambda || maxDown - sumDown > lambda;
    },
  };
}

/**
 * ADWIN (Bifet & Gavaldà 2007, "Learning from time-changing data with adaptive windowing", SDM),
 * in its exact form ADWIN0: keep a window of recent values, and whenever some split into an older
 * and a newer part has means further apart than eps_cut (the Bernstein-style bound with the window's
 * variance from the paper's section 3.3, with river's ln(2 ln n / delta) in place of ln(2n / delta)),
 * drop the older part and signal a change.
 */
export function adwin(delta: number, minSide = 5): OnlineDetector {
  let window: number[] = [];
  return {
    push(value) {
      window.push(value);
      const n = window.length;
      if (n < 2 * minSide) return false;
      const prefix = [0];
      for (const v of window) prefix.push(prefix[prefix.length - 1]! + v);
      const total = prefix[n]!;
      const mu = total / n;
      const variance = window.reduce((a, v) => a + (v - mu) ** 2, 0) / n;
      const logTerm = Math.log((2 * Math.log(n)) / delta);
      for (let cut = minSide; cut <= n - minSide; cut++) {
        const n0 = cut;
        const n1 = n - cut;
        const m = 1 / n0 + 1 / n1;
        const epsilon = Math.sqrt(2 * m * variance * logTerm) + (2 / 3) * m * logTerm;
        const mean0 = prefix[cut]! / n0;
        const mean1 = (total - prefix[cut]!) / n1;
        if (Math.abs(mean0 - mean1) > epsilon) {
          window = window.slice(cut);
          return true;
        }
      }
      return false;
    },
  };
}
