export { sha256Hex } from './hash.js';
