// @flk/node-crypto: the contract's signature checks and hashes on node:crypto (OpenSSL), for the
// processes that run on Node (the verifier, the bench). One adapter, one external system.
export { createNodeKeyRing, isCanonicalScalar, nodeSha256, nodeSignatureCrypto } from './keyring.js';
