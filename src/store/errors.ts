/** A problem with one field of the caller's input: `path` names it, e.g. `input.3.confidence`. */
export interface InputIssue {
  path: string;
  message: string;
}

/** Input the store refuses before writing anything. */
export class InvalidInputError extends Error {
  constructor(readonly issues: InputIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'InvalidInputError';
  }
}
