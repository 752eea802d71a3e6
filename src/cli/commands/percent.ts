/** A fraction as people read it: 0.123 -> "12.3 %". */
export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
