import { isIsoDate } from './dates';

describe('isIsoDate', () => {
  it.each(['2022-02-24', '2024-02-29', '2025-12-31'])('accepts %s', (date) => {
    expect(isIsoDate(date)).toBe(true);
  });

  it.each(['2023-02-29', '2022-13-01', '2022-04-31', '2022-2-24', '24.02.2022', '2022-02-24T00:00:00Z', ''])(
    'refuses %j',
    (date) => {
      expect(isIsoDate(date)).toBe(false);
    },
  );

  it('refuses non-strings', () => {
    expect(isIsoDate(20220224)).toBe(false);
    expect(isIsoDate(null)).toBe(false);
  });
});
