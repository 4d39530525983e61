import { CQL_RESERVED_WORDS } from '../../cassandra/cqlReservedWords';

const MAX_NAME = 40;

/**
 * Makes a header or file name safe as a CQL identifier: lower case, letters,
 * digits and underscores, starting with a letter, at most 40 characters, and
 * not a reserved CQL word (those get the prefix too).
 *
 * @example
 * cqlName('Zip Code'); // 'zip_code'
 * cqlName('2024 sales'); // 'c_2024_sales'
 * cqlName('select'); // 'c_select'
 */
export function cqlName(raw: string, prefixIfDigit = 'c_'): string {
  let name = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '') name = 'column';
  if (!/^[a-z]/.test(name)) name = `${prefixIfDigit}${name}`;
  name = name.slice(0, MAX_NAME).replace(/_+$/, '');
  return CQL_RESERVED_WORDS.has(name) ? `${prefixIfDigit}${name}` : name;
}

/** Safe, unique CQL names for a list of raw names, in order; duplicates get `_2`, `_3`, ... */
export function uniqueCqlNames(raw: readonly string[], reserved: readonly string[] = []): string[] {
  const taken = new Set(reserved);
  return raw.map((name) => {
    const base = cqlName(name);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n += 1) candidate = `${base.slice(0, MAX_NAME - String(n).length - 1)}_${n}`;
    taken.add(candidate);
    return candidate;
  });
}
