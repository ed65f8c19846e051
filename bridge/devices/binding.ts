/**
 * The serialport binding contract the bridge depends on (node-serialport's BindingInterface): the native
 * binding on a bench, the mock binding in unit tests, and the in-memory binding to the wasm
 * firmware all keep it. Taken from @serialport/stream because @serialport/bindings-interface ships no
 * types that ESM resolution can find.
 */

import type { OpenOptions } from '@serialport/stream';

export type Binding = OpenOptions['binding'];
