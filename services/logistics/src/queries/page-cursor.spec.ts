import { ValidationError } from '@aid/contracts';
import { cursorAfter, positionBefore } from './page-cursor';

describe('page cursors', () => {
  it('carry the position the next page starts below', () => {
    expect(positionBefore(cursorAfter(0))).toBe(0);
    expect(positionBefore(cursorAfter(9_007_199_254_740_991))).toBe(9_007_199_254_740_991);
  });

  it('are refused as bad input when this service did not make them', () => {
    const foreign = [
      'abc',
      '',
      Buffer.from('{"before":-1}').toString('base64url'),
      Buffer.from('{"before":"12"}').toString('base64url'),
      Buffer.from('[12]').toString('base64url'),
    ];
    for (const cursor of foreign) {
      expect(() => positionBefore(cursor)).toThrow(ValidationError);
    }
  });
});
