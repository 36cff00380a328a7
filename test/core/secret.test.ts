import { describe, expect, it } from 'vitest';
import { headerValue, secretMatches, SECRET_HEADER } from '../../core/secret';

describe('secretMatches', () => {
  it('compares against whichever secret it is given, one after another (the expected digest is cached)', () => {
    expect(secretMatches('alpha_1', 'alpha_1')).toBe(true);
    expect(secretMatches('alpha_1', 'beta-2')).toBe(false);
    expect(secretMatches('beta-2', 'beta-2')).toBe(true);
    expect(secretMatches('beta-2', 'alpha_1')).toBe(false);
    expect(secretMatches('alpha_1', 'alpha_1')).toBe(true);
  });

  it('refuses a missing header, an empty expected secret and near misses', () => {
    expect(secretMatches(undefined, 's3cret')).toBe(false);
    expect(secretMatches('', '')).toBe(false);
    expect(secretMatches('s3cre', 's3cret')).toBe(false);
    expect(secretMatches('s3cret ', 's3cret')).toBe(false);
    expect(secretMatches('S3cret', 's3cret')).toBe(false);
  });
});

describe('headerValue', () => {
  it('finds the header whatever the case of its name, the first of repeated values', () => {
    expect(headerValue({ 'x-telegram-bot-api-secret-token': 'a' }, SECRET_HEADER)).toBe('a');
    expect(headerValue({ 'X-Telegram-Bot-Api-Secret-Token': 'b' }, SECRET_HEADER)).toBe('b');
    expect(headerValue({ 'X-TELEGRAM-BOT-API-SECRET-TOKEN': ['c', 'd'] }, SECRET_HEADER)).toBe('c');
    expect(headerValue({ 'x-telegram-bot-api-secret-token': ['e'] }, SECRET_HEADER)).toBe('e');
    expect(headerValue({ other: 'x' }, SECRET_HEADER)).toBeUndefined();
    expect(headerValue(undefined, SECRET_HEADER)).toBeUndefined();
  });
});
