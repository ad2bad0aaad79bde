import { ValidationError } from '@aid/contracts';
import { decodeCursor, encodeCursor, pageOf, todayInUkraine } from './query-support';

describe('page cursors', () => {
  const position = { name: 'Дергачівська', id: '0193f0a4-7c00-7000-8000-00000000a001' };

  it('come back as the position they were made from', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['not-a-cursor', Buffer.from('["x","not-a-uuid"]').toString('base64url'), ''])(
    'refuses %j naming the after field',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(ValidationError);
      try {
        decodeCursor(cursor);
      } catch (error) {
        expect((error as ValidationError).fields.map((field) => field.field)).toEqual(['after']);
      }
    },
  );

  it('are given only when a row beyond the limit says another page exists', () => {
    const rows = ['a', 'b', 'c'].map((name, index) => ({
      name,
      id: `0193f0a4-7c00-7000-8000-00000000000${index}`,
    }));
    const first = pageOf(
      rows,
      2,
      (row) => row.name,
      (row) => row,
    );
    expect(first.items).toEqual(['a', 'b']);
    expect(decodeCursor(first.next!)).toEqual(rows[1]);
    expect(
      pageOf(
        rows,
        3,
        (row) => row.name,
        (row) => row,
      ),
    ).toEqual({ items: ['a', 'b', 'c'] });
  });
});

describe('todayInUkraine', () => {
  it('counts the day in Kyiv time, not UTC', () => {
    // 22:30 UTC on 24 March 2025 is already 00:30 on the 25th in Kyiv (UTC+2 in winter).
    expect(todayInUkraine(new Date('2025-03-24T22:30:00Z'))).toBe('2025-03-25');
    expect(todayInUkraine(new Date('2025-03-24T21:30:00Z'))).toBe('2025-03-24');
  });
});
