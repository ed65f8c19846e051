/**
 * The reference RQ-DCA controller (being written in issue 11; this file holds its entry point's signature).
 */
import type { BridgeClient, ControllerRuntime, DecisionLogEntry } from './contract.js';

export interface DcaControllerOptions {
  client: BridgeClient;
  /** The cells to control; default every cell the bridge knows at start(). */
  cells?: string[];
  /** Called with every decision and its reason. */
  log?: (entry: DecisionLogEntry) => void;
}

export function createDcaController(options: DcaControllerOptions): ControllerRuntime {
  void options;
  throw new Error('the DCA controller is not written yet');
}
