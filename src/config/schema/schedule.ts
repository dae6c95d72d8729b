// [schedule]: the hours in which serve may start rounds (config/schedule.ts reads the ranges).
import { section } from './spec.js';

export const SCHEDULE = section({
  name: 'schedule',
  kind: 'table',
  doc: 'When serve may start rounds. Outside the active hours it waits (status and peek say until when); a round running when they end is not cut short. No `active` key: any time.',
  keys: [
    {
      key: 'active',
      type: { kind: 'string_array', nonEmpty: true },
      example: ['Mon-Fri 08:00-20:00', 'Sat 10:00-14:00'],
      defaultText: 'any time',
      doc: 'Time ranges, each `[DAYS ]HH:MM-HH:MM` in the schedule\'s zone: DAYS is a day (Mon … Sun), a span (Mon-Fri) or a list (Mon,Wed,Fri); no days means every day. An end before the start runs past midnight (`22:00-06:00`); `24:00` is the end of the day.',
    },
    {
      key: 'timezone',
      type: { kind: 'string' },
      example: 'Europe/Berlin',
      defaultText: "the machine's zone (TZ)",
      doc: 'The IANA zone the ranges are read in.',
    },
  ],
});
