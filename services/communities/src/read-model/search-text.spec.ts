import { containsPattern, normaliseForSearch, romaniseUkrainian, searchTextOf } from './search-text';

describe('romaniseUkrainian (Cabinet of Ministers resolution No. 55 of 2010)', () => {
  it.each([
    ['Дергачівська', 'derhachivska'],
    ['Броварська', 'brovarska'],
    ['Очаківська', 'ochakivska'],
    ['Нехворощанська', 'nekhvoroshchanska'],
    ['Чигиринська', 'chyhyrynska'],
    ['Житомирська', 'zhytomyrska'],
  ])('romanises %s as %s', (ukrainian, latin) => {
    expect(romaniseUkrainian(ukrainian)).toBe(latin);
  });

  it('writes є, ї, й, ю, я with y at the start of a word, and with i inside it', () => {
    expect(romaniseUkrainian('Єнакієве')).toBe('yenakiieve');
    expect(romaniseUkrainian('Їжакевич')).toBe('yizhakevych');
    expect(romaniseUkrainian('Йосипівка')).toBe('yosypivka');
    expect(romaniseUkrainian('Юрій')).toBe('yurii');
    expect(romaniseUkrainian('Яготин')).toBe('yahotyn');
    expect(romaniseUkrainian('Стара Ялта')).toBe('stara yalta');
    expect(romaniseUkrainian('Гайсин')).toBe('haisyn');
  });

  it('writes зг as zgh and drops the soft sign and the apostrophe', () => {
    expect(romaniseUkrainian('Згурівка')).toBe('zghurivka');
    expect(romaniseUkrainian('Прип’ять')).toBe('prypiat');
    expect(romaniseUkrainian('Львів')).toBe('lviv');
  });
});

describe('search text', () => {
  it('holds the Ukrainian and English names, the romanised name and the code, in lower case', () => {
    expect(searchTextOf({ uk: 'Дергачівська', en: 'Derhachi' }, 'UA63120070000018741')).toBe(
      'дергачівська\nderhachi\nderhachivska\nua63120070000018741',
    );
  });

  it('normalises apostrophes and spaces alike on both sides of a search', () => {
    expect(normaliseForSearch('  Прип’ять ')).toBe(normaliseForSearch("ПРИП'ЯТЬ"));
    expect(normaliseForSearch('Kryvyi   Rih')).toBe('kryvyi rih');
  });

  it("takes LIKE's wildcards in a query literally", () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
