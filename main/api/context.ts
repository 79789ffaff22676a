/** What every handler gets: the station, and who is asking (for the audit trail). */
import type { Station } from '../station.js';

export interface ApiContext {
  station: Station;
  /** The staff user as the OS knows them ("station" for the station itself). */
  actor: string;
}
