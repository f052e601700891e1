// The module SLUICE_STEPS names: every step it exports (or arrays of them) is registered.
export { wordCount } from "./word-count.js";
