import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Hex digests of UTF-8 text, computed in pure JavaScript (no I/O, no native crypto). */
export const md5Hex = (s: string): string => bytesToHex(md5(utf8ToBytes(s)));
export const sha1Hex = (s: string): string => bytesToHex(sha1(utf8ToBytes(s)));
export const sha256Hex = (s: string): string => bytesToHex(sha256(utf8ToBytes(s)));
export const sha512Hex = (s: string): string => bytesToHex(sha512(utf8ToBytes(s)));
