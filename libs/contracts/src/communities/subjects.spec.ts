import { COMMUNITIES_SUBJECTS } from './subjects';

describe('COMMUNITIES_SUBJECTS', () => {
  it('follow <context>.cmd|query.<kebab-name>, each subject once', () => {
    const subjects = Object.values(COMMUNITIES_SUBJECTS);
    for (const subject of subjects) expect(subject).toMatch(/^communities\.(cmd|query)\.[a-z]+(-[a-z]+)*$/);
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it('name the commands and queries of the contract', () => {
    expect(Object.values(COMMUNITIES_SUBJECTS).sort()).toEqual([
      'communities.cmd.change-frontline-status',
      'communities.cmd.record-hostilities-period',
      'communities.cmd.register-community',
      'communities.cmd.register-organisation',
      'communities.query.communities',
      'communities.query.community',
      'communities.query.organisation',
      'communities.query.organisations',
      'communities.query.status-on',
    ]);
  });
});
