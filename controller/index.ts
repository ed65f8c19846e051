/** The DCA controller: the reference RQ-DCA and pallet supervision, speaking only the bridge client contract. */
export * from './contract.js';
export { createDcaController, type DcaControllerOptions } from './dca-controller.js';
