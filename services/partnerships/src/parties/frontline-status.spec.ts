import { frontlineStatusOn, type RecordedFrontlineChange } from './frontline-status';

describe('frontlineStatusOn', () => {
  // Derhachi: named an outpost from 2025-01-15, after a period recorded as rear.
  const derhachi: RecordedFrontlineChange[] = [
    { status: 'outpost', effectiveFrom: '2025-01-15', position: 40 },
    { status: 'rear', effectiveFrom: '2024-06-01', position: 12 },
  ];

  it('knows no status before the first change takes effect', () => {
    expect(frontlineStatusOn(derhachi, '2024-05-31')).toBeUndefined();
    expect(frontlineStatusOn([], '2025-03-25')).toBeUndefined();
  });

  it('reads the change with the latest effective day not after the day asked, whatever the order recorded', () => {
    expect(frontlineStatusOn(derhachi, '2024-06-01')).toBe('rear');
    expect(frontlineStatusOn(derhachi, '2025-01-14')).toBe('rear');
    expect(frontlineStatusOn(derhachi, '2025-01-15')).toBe('outpost');
    expect(frontlineStatusOn(derhachi, '2025-03-25')).toBe('outpost');
  });

  it('lets a later record for the same effective day correct an earlier one', () => {
    const corrected: RecordedFrontlineChange[] = [
      { status: 'rear', effectiveFrom: '2025-01-15', position: 90 },
      ...derhachi,
    ];
    expect(frontlineStatusOn(corrected, '2025-03-25')).toBe('rear');
  });
});
