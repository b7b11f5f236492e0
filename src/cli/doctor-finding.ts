/** One line of `doctor`: a check and what it found. */
export interface Finding {
  status: 'ok' | 'warn' | 'fail' | 'info';
  check: string;
  detail: string;
}
