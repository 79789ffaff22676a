/**
 * All UI strings, merged from one file per area. To add an area: write
 * `features/<area>/strings.ts` exporting `{ de, en }` and add one line to `areas` below; its keys are
 * then `t('<area>.<key>')`. German is the default and the fallback language.
 */
import { errorStrings } from './error-strings';
import { shellStrings } from './shell-strings';
import { queueStrings } from '../features/queue/strings';
import { quarantineStrings } from '../features/quarantine/strings';
import { settingsStrings } from '../features/settings/strings';
import { batchReviewStrings } from '../features/batch-review/strings';
import { documentStrings } from '../features/document/strings';
import { assignStrings } from '../features/assign/strings';
import { customerStrings } from '../features/customers/strings';

export type StringTree = { [key: string]: string | StringTree };
export interface AreaStrings {
  de: StringTree;
  en: StringTree;
}

const areas: Record<string, AreaStrings> = {
  shell: shellStrings,
  errors: errorStrings,
  queue: queueStrings,
  quarantine: quarantineStrings,
  settings: settingsStrings,
  batchReview: batchReviewStrings,
  document: documentStrings,
  assign: assignStrings,
  customers: customerStrings,
};

export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];

function pick(language: Language): StringTree {
  return Object.fromEntries(Object.entries(areas).map(([area, strings]) => [area, strings[language]]));
}

export const resources = {
  de: { translation: pick('de') },
  en: { translation: pick('en') },
};
