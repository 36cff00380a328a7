/** Tables line up in a terminal whatever the script of the names in them. */
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../cli/display-width';
import { formatRows } from '../../cli/commands/query';

describe('displayWidth', () => {
  it('counts terminal columns: wide CJK and emoji 2, combining marks 0, others 1', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('тест')).toBe(4);
    expect(displayWidth('交流群')).toBe(6);
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('ｔｅｓｔ')).toBe(8);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('👍')).toBe(2);
    expect(displayWidth('👨‍👩‍👧')).toBe(2);
    expect(displayWidth('❤️')).toBe(2);
    expect(displayWidth('Ana 🎉 交')).toBe(9);
  });

  it('aligns the columns of a table with names in several scripts', () => {
    const out = formatRows(
      [
        { chat_id: -866, title: '交', n: 1 },
        { chat_id: -1001, title: 'Группа', n: 22 },
        { chat_id: -1002, title: 'party 🎉🎉', n: 333 },
      ],
      'table',
    );
    const lines = out.trimEnd().split('\n').slice(0, -1);
    const separators = lines.map((l) => [...l].reduce<number[]>((at, ch, i) => (ch === '|' ? [...at, displayWidth([...l].slice(0, i).join(''))] : at), []));
    for (const s of separators.filter((s) => s.length)) expect(s).toEqual(separators[0]);
  });
});
