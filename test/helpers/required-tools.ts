/**
 * Outside tools a suite needs (socat, mbpoll, Debian's python3 modules). Where one is missing the suite is
 * skipped with the reason, except when CI is set: CI runs `cellbench setup` first, so a missing tool there
 * is a broken setup, and the suite fails instead of passing by skipping.
 */

import { describe, it } from 'vitest';

/** A tool and how to tell it is there. */
export type ToolCheck = [name: string, present: () => boolean];

/**
 * Checks the tools of a suite; returns the reason it cannot run, or undefined when it can. Under CI a
 * missing tool registers a failing test named after the suite.
 */
export function missingTools(suite: string, checks: ToolCheck[]): string | undefined {
  const missing = checks.filter(([, present]) => !present()).map(([name]) => name);
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(', ')} not installed (cellbench setup installs them)`;
  if (process.env.CI) {
    describe(suite, () => {
      it('has its tools (CI is set)', () => {
        throw new Error(reason);
      });
    });
  } else {
    console.log(`${suite}: skipped: ${reason}`);
  }
  return reason;
}
