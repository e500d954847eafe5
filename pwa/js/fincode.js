// fincode.js: browser-side validation of Finnish identifiers for Asiointi.
//
// Twin of the Go package server/fincode; both are checked against
// server/fincode/testdata/vectors.json (see fincode.test.mjs), so a value
// accepted here is accepted by the server and vice versa.
// Plain ES module, no dependencies, no build step. Inputs are expected to be
// trimmed by the caller (only validIban tolerates embedded spaces).

const HETU_CHECK_CHARS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

// Century sign (7th char) -> first year of the century (2023 reform signs included).
const HETU_CENTURY = {
  '+': 1800,
  '-': 1900, Y: 1900, X: 1900, W: 1900, V: 1900, U: 1900,
  A: 2000, B: 2000, C: 2000, D: 2000, E: 2000, F: 2000,
};

const HETU_RE = /^(\d\d)(\d\d)(\d\d)([-+A-FU-Y])(\d\d\d)([0-9A-Y])$/;

function isLeap(y) {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysIn(y, m) {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Finnish personal identity code (henkilötunnus) DDMMYYCZZZQ.
 * Real calendar date; century signs + (1800s), - Y X W V U (1900s),
 * A-F (2000s); individual number 002-999 (900-999 = temporary/test);
 * control char = DDMMYYZZZ mod 31. Uppercase only, no surrounding spaces.
 * @param {string} s
 * @returns {boolean}
 */
export function validHetu(s) {
  if (typeof s !== 'string') return false;
  const m = HETU_RE.exec(s);
  if (!m) return false;
  const century = HETU_CENTURY[m[4]];
  if (century === undefined) return false; // e.g. 'Z' excluded by regex anyway
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = century + Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (Number(m[5]) < 2) return false; // 000 and 001 are never issued
  const n = Number(m[1] + m[2] + m[3] + m[5]); // at most 9 digits: exact in a double
  return m[6] === HETU_CHECK_CHARS[n % 31];
}

const BUSINESS_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2];

/**
 * Finnish business ID (Y-tunnus) NNNNNNN-C, weights 7,9,10,5,8,4,2:
 * remainder 0 -> 0, remainder 1 -> invalid, otherwise 11 - remainder.
 * @param {string} s
 * @returns {boolean}
 */
export function validBusinessId(s) {
  if (typeof s !== 'string' || !/^\d{7}-\d$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(s[i]) * BUSINESS_ID_WEIGHTS[i];
  const r = sum % 11;
  if (r === 1) return false;
  return Number(s[8]) === (r === 0 ? 0 : 11 - r);
}

// IBAN lengths: EU/EEA, CH, GB and the other SEPA members. Others are rejected.
const IBAN_LENGTHS = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24,
  DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22,
  GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18,
  NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24,
  SM: 27, VA: 22,
};

/**
 * IBAN: spaces are ignored, letters must be uppercase, length must match
 * the country, mod-97 checksum must be 1.
 * @param {string} s
 * @returns {boolean}
 */
export function validIban(s) {
  if (typeof s !== 'string') return false;
  s = s.split(' ').join('');
  if (!/^[A-Z]{2}\d\d[0-9A-Z]+$/.test(s)) return false;
  const cc = s.slice(0, 2);
  if (!Object.prototype.hasOwnProperty.call(IBAN_LENGTHS, cc) || s.length !== IBAN_LENGTHS[cc]) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let r = 0;
  for (const c of rearranged) {
    const code = c.charCodeAt(0);
    r = code <= 57 ? (r * 10 + (code - 48)) % 97 : (r * 100 + (code - 55)) % 97;
  }
  return r === 1;
}

/**
 * Finnish postal code: exactly five ASCII digits.
 * @param {string} s
 * @returns {boolean}
 */
export function validPostalCode(s) {
  return typeof s === 'string' && /^[0-9]{5}$/.test(s);
}
