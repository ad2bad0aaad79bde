import { resolve } from 'node:path';

// The official files stay in the shared data folder beside the repository, never copied into it.
const repositoryRoot = resolve(__dirname, '../../../..');

export const CODIFIER_FILE = resolve(repositoryRoot, '../shared/data/katottg-2025-05-16.csv');
export const HOSTILITIES_FILE = resolve(repositoryRoot, '../shared/data/hostilities-2025-05-07.csv');

export const KATOTTG = {
  brovary: 'UA32060050000030591',
  derhachi: 'UA63120070000018741',
  ochakiv: 'UA48060250000061313',
  slatyne: 'UA63120070040082749',
  prudianka: 'UA63120070030026955',
  kozachaLopan: 'UA63120070020018703',
} as const;
