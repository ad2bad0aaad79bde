import { businessTime } from './command-handler';

describe('businessTime', () => {
  it('turns a day into the start of that day in UTC', () => {
    expect(businessTime('2025-03-25')).toBe('2025-03-25T00:00:00.000Z');
  });

  it('keeps a date-time as given, offset included', () => {
    expect(businessTime('2022-12-23T14:30:00+02:00')).toBe('2022-12-23T14:30:00+02:00');
    expect(businessTime('2022-12-23T12:30:00.250Z')).toBe('2022-12-23T12:30:00.250Z');
  });

  it('is undefined when the event has no business time', () => {
    expect(businessTime(undefined)).toBeUndefined();
  });

  it('refuses what is neither', () => {
    expect(() => businessTime('23.12.2022')).toThrow(TypeError);
    expect(() => businessTime('2022-12-23T25:00:00Z')).toThrow(TypeError);
  });
});
