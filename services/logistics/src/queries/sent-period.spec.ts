import { ValidationError } from '@aid/contracts';
import { isPeriodBoundText as isPeriodBound } from '@aid/contracts';
import { sentPeriod } from './sent-period';

function refusedField(params: { from?: string; to?: string }): string {
  try {
    sentPeriod(params);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fields[0].field;
  }
  throw new Error('expected a ValidationError');
}

describe('sentPeriod', () => {
  it('turns months into whole UTC months, both ends inclusive', () => {
    expect(sentPeriod({ from: '2022-11', to: '2022-12' })).toEqual({
      from: new Date('2022-11-01T00:00:00Z'),
      until: new Date('2023-01-01T00:00:00Z'),
    });
  });

  it('turns days into whole UTC days, and mixes days with months', () => {
    expect(sentPeriod({ from: '2022-12-31', to: '2022-12-31' })).toEqual({
      from: new Date('2022-12-31T00:00:00Z'),
      until: new Date('2023-01-01T00:00:00Z'),
    });
    expect(sentPeriod({ from: '2022-11', to: '2022-11-30' }).until).toEqual(new Date('2022-12-01T00:00:00Z'));
  });

  it('leaves out a bound the caller did not give', () => {
    expect(sentPeriod({})).toEqual({ from: null, until: null });
    expect(sentPeriod({ to: '2024-02' })).toEqual({ from: null, until: new Date('2024-03-01T00:00:00Z') });
  });

  it('knows leap days and refuses days that do not exist', () => {
    expect(isPeriodBound('2024-02-29')).toBe(true);
    expect(isPeriodBound('2023-02-29')).toBe(false);
    expect(isPeriodBound('2022-12-00')).toBe(false);
    expect(isPeriodBound('2022-13')).toBe(false);
    expect(isPeriodBound('2022-12-01T00:00:00Z')).toBe(false);
    expect(isPeriodBound(202212)).toBe(false);
  });

  it('names the bound that is wrong', () => {
    expect(refusedField({ from: '12/2022' })).toBe('from');
    expect(refusedField({ to: '2022-02-30' })).toBe('to');
    expect(refusedField({ from: '2022-12', to: '2022-11-30' })).toBe('to');
  });
});
