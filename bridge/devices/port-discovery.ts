/**
 * Finding serial ports besides the configured ones, and finding them again as boards come and go: glob
 * patterns over device files (`/dev/ttyUSB*`, a folder of PTY symlinks) and, if asked, the binding's
 * `list()` (udev on Linux). A symlink and its target are one port (realpath). A failing `list()` (no udevadm
 * in a container) is reported once and the globs go on.
 */

import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Binding } from './binding.js';

/** Finding serial paths besides the configured ones, and finding them again as boards come and go. */
export interface DiscoveryOptions {
  /** Path patterns with `*` and `?` in the last part, e.g. `/dev/ttyUSB*`, `/dev/ttyACM*`, `/tmp/run/GB-*`. */
  globs?: string[];
  /** Also ask the binding's `list()` (udev on Linux); a failing list (no udevadm) is logged, not fatal. Default false. */
  list?: boolean;
  /** How often to look again, ms of the clock. Default 2000. */
  rescanMs?: number;
}

/** The paths a pattern with `*` and `?` in its last part matches now (none when its folder is missing). */
export function expandGlob(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (/[*?]/.test(dir)) throw new RangeError(`only the last part of a discovery pattern may hold * or ?: "${pattern}"`);
  if (!/[*?]/.test(base)) return [pattern];
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return readdirSync(dir).filter((name) => re.test(name)).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** One name per device file: a symlink and its target are the same port. */
export function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** What the discovery finds each time it looks: glob matches and, if asked, the binding's list. */
export class PortDiscovery {
  private listFailed = false;

  constructor(
    private readonly options: DiscoveryOptions,
    private readonly binding: Binding,
    /** Told once when the binding's list fails (and again after it worked once more). */
    private readonly onListFailed: (message: string) => void,
  ) {}

  /** How often to look again, ms. */
  get rescanMs(): number {
    return this.options.rescanMs ?? 2000;
  }

  /** The paths found now, sorted. */
  async discover(): Promise<string[]> {
    const found = new Set<string>();
    for (const g of this.options.globs ?? []) for (const p of expandGlob(g)) found.add(p);
    if (this.options.list) {
      try {
        for (const info of await this.binding.list()) found.add(info.path);
        this.listFailed = false;
      } catch (err) {
        if (!this.listFailed) this.onListFailed((err as Error).message);
        this.listFailed = true;
      }
    }
    return [...found].sort();
  }
}
