import { sha256Hex } from '@flk/pcs';
console.log(sha256Hex('abc'));
