/**
 * `npm run bench -- customers [--count N] [--queries N]`: the customer directory on N generated
 * customers (default 100,000): CSV import time, then search latency (median, 99th percentile,
 * worst) per kind of query, typed letter by letter as staff do. Goal: under 20 ms per search.
 *
 * Also the generator the customer tests use (seeded, so every run sees the same directory).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../main/store/db.js';
import { CustomerDirectory } from '../../main/customers/directory.js';

export interface GeneratedCustomer {
  customerNumber: string;
  bgNumber: string;
  familyName: string;
  givenNames: string;
  /** ISO. */
  birthDate: string;
  street: string;
  postalCode: string;
  city: string;
}

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Names a Jobcenter directory holds; all of them fit Windows-1252 so both encodings can carry them.
const FAMILY = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner', 'Schmitz', 'Krause', 'Meier', 'Lehmann', 'Schmid', 'Schulze', 'Maier', 'Köhler', 'Herrmann', 'König', 'Walter', 'Mayer', 'Huber', 'Kaiser', 'Fuchs', 'Peters', 'Lang', 'Scholz', 'Möller', 'Weiß', 'Jung', 'Hahn', 'Schubert', 'Vogel', 'Friedrich', 'Keller', 'Günther', 'Frank', 'Berger', 'Winkler', 'Roth', 'Beck', 'Lorenz', 'Baumann', 'Franke', 'Albrecht', 'Schuster', 'Simon', 'Ludwig', 'Böhm', 'Winter', 'Kraus', 'Martin', 'Schumacher', 'Krämer', 'Vogt', 'Stein', 'Jäger', 'Otto', 'Sommer', 'Groß', 'Seidel', 'Heinrich', 'Brandt', 'Haas', 'Schreiber', 'Graf', 'Schulte', 'Dietrich', 'Ziegler', 'Kuhn', 'Kühn', 'Pohl', 'Engel', 'Horn', 'Busch', 'Bergmann', 'Thomas', 'Voigt', 'Sauer', 'Arnold', 'Wolff', 'Pfeiffer', 'Yilmaz', 'Kaya', 'Demir', 'Sahin', 'Çelik', 'Öztürk', 'Aydin', 'Nowak', 'Kowalski', 'Wisniewski', 'Popescu', 'Ivanov', 'Petrovic', 'Al-Hassan', 'Abdullah', 'Nguyen', 'von der Heide', 'van Dijk', 'de Vries', 'Meyer-Lüdenscheidt', "O'Brien", 'Straßburger', 'Großmann', 'Strauß', 'Süß', 'Mörike', 'Heß', 'Jäckel', 'Dürr', 'Löw', 'Gräfe'];
const GIVEN = ['Hans', 'Peter', 'Michael', 'Thomas', 'Andreas', 'Stefan', 'Christian', 'Jürgen', 'Klaus', 'Uwe', 'Frank', 'Markus', 'Sabine', 'Susanne', 'Petra', 'Monika', 'Andrea', 'Claudia', 'Birgit', 'Anna', 'Maria', 'Jörg', 'Björn', 'Özlem', 'Ayse', 'Mehmet', 'Ali', 'Fatma', 'Emre', 'Zeynep', 'Mohammed', 'Ahmad', 'Fatima', 'Olga', 'Irina', 'Piotr', 'Agnieszka', 'Lukas', 'Leon', 'Finn', 'Jonas', 'Mia', 'Emma', 'Hannah', 'Lea', 'Lena', 'Sophie', 'Marie', 'Manuel', 'Raphael', 'Joël', 'José', 'François', 'Renée', 'Gülsen', 'Hans-Jürgen', 'Karl Heinz', 'Anna-Lena'];
const STREETS = ['Hauptstraße', 'Bahnhofstraße', 'Schulstraße', 'Gartenstraße', 'Dorfstraße', 'Bergstraße', 'Lindenweg', 'Am Markt', 'Kirchplatz', 'Goethestraße'];
const CITIES = [['10115', 'Berlin'], ['20095', 'Hamburg'], ['80331', 'München'], ['50667', 'Köln'], ['04109', 'Leipzig'], ['01067', 'Dresden'], ['90402', 'Nürnberg'], ['45127', 'Essen']] as const;

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `count` customers in households (BG) of one to four; customer numbers 1000001…, BG numbers 12345BG00xxxxx. */
export function generateCustomers(count: number, seed = 1): GeneratedCustomer[] {
  const random = seededRandom(seed);
  const out: GeneratedCustomer[] = [];
  let household = 0;
  while (out.length < count) {
    household++;
    const size = 1 + Math.floor(random() * random() * 4);
    const familyName = pick(random, FAMILY);
    const bgNumber = `${pad(12000 + Math.floor(random() * 900), 5)}BG${pad(household, 7)}`;
    const [postalCode, city] = pick(random, CITIES);
    const street = `${pick(random, STREETS)} ${1 + Math.floor(random() * 120)}`;
    for (let i = 0; i < size && out.length < count; i++) {
      const year = 1940 + Math.floor(random() * 80);
      const month = 1 + Math.floor(random() * 12);
      const day = 1 + Math.floor(random() * 28);
      out.push({
        customerNumber: String(1_000_001 + out.length),
        bgNumber,
        familyName,
        givenNames: random() < 0.15 ? `${pick(random, GIVEN)} ${pick(random, GIVEN)}` : pick(random, GIVEN),
        birthDate: `${year}-${pad(month, 2)}-${pad(day, 2)}`,
        street,
        postalCode,
        city,
      });
    }
  }
  return out;
}

// Windows-1252: Latin-1 plus these in 0x80–0x9F (what Excel writes on a German Windows).
const CP1252_HIGH: Record<string, number> = { '€': 0x80, '‚': 0x82, ƒ: 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, ˆ: 0x88, '‰': 0x89, Š: 0x8a, '‹': 0x8b, Œ: 0x8c, Ž: 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, š: 0x9a, '›': 0x9b, œ: 0x9c, ž: 0x9e, Ÿ: 0x9f };

/** Encodes text as Windows-1252; a character it cannot hold is an error (a test fixture must not lose letters). */
export function encodeWindows1252(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const byte = (code < 0x80 || (code >= 0xa0 && code <= 0xff)) ? code : CP1252_HIGH[ch];
    if (byte === undefined) throw new Error(`"${ch}" cannot be written in Windows-1252`);
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

export interface CsvWriteOptions {
  delimiter: ';' | ',';
  encoding: 'utf-8' | 'windows-1252';
  bom?: boolean;
  /** Quote every field (some exports do), not only those that need it. */
  quoteAll?: boolean;
  lineEnd?: '\r\n' | '\n';
}

/** Writes rows as CSV the way exports do: quotes where needed (or always), doubled quotes inside. */
export function writeCsv(rows: string[][], options: CsvWriteOptions): Buffer {
  const quote = (field: string) => (options.quoteAll || /["\r\n;,]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
  const text = rows.map((row) => row.map(quote).join(options.delimiter)).join(options.lineEnd ?? '\r\n') + (options.lineEnd ?? '\r\n');
  const body = options.encoding === 'utf-8' ? Buffer.from(text, 'utf8') : encodeWindows1252(text);
  return options.bom && options.encoding === 'utf-8' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

const germanDate = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

export const GERMAN_HEADER = ['Kundennummer', 'BG-Nummer', 'Nachname', 'Vorname', 'Geburtsdatum', 'Straße', 'PLZ', 'Ort'];

export function customerRows(customers: GeneratedCustomer[]): string[][] {
  return customers.map((c) => [c.customerNumber, c.bgNumber, c.familyName, c.givenNames, germanDate(c.birthDate), c.street, c.postalCode, c.city]);
}

// ---------------------------------------------------------------------------------------------- bench

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Every prefix of a query, as the search box sends them while staff type. */
function typed(query: string): string[] {
  const out: string[] = [];
  for (let i = 1; i <= query.length; i++) if (query[i - 1] !== ' ') out.push(query.slice(0, i));
  return out;
}

export async function runCustomersBench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { count: { type: 'string', default: '100000' }, queries: { type: 'string', default: '300' } } });
  const count = Number(values.count);
  const queryCount = Number(values.queries);
  if (!Number.isInteger(count) || count < 1) throw new RangeError('--count needs a whole number of customers, e.g. --count 100000');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customers-bench-'));
  try {
    const customers = generateCustomers(count, 7);
    const csv = writeCsv([GERMAN_HEADER, ...customerRows(customers)], { delimiter: ';', encoding: 'windows-1252' });
    const db = openDatabase(path.join(dir, 'station.db'));
    const directory = new CustomerDirectory(db);
    let t = performance.now();
    const cpu0 = process.cpuUsage();
    const report = await directory.importCsv(csv, 'bench.csv');
    const importMs = performance.now() - t;
    const importCpu = process.cpuUsage(cpu0);
    console.log(`Customer directory bench: ${count.toLocaleString('en')} customers, ${(csv.length / 1e6).toFixed(1)} MB Windows-1252 CSV`);
    console.log(`  import: ${importMs.toFixed(0)} ms (${Math.round(count / (importMs / 1000)).toLocaleString('en')} rows/s), CPU ${((importCpu.user + importCpu.system) / 1000).toFixed(0)} ms; ${report.imported} new, ${report.skipped} bad`);
    console.log(`  database: ${(fs.statSync(path.join(dir, 'station.db')).size / 1e6).toFixed(1)} MB (+ WAL ${(fs.existsSync(path.join(dir, 'station.db-wal')) ? fs.statSync(path.join(dir, 'station.db-wal')).size / 1e6 : 0).toFixed(1)} MB)`);
    // Some customers recently used, as on a working day.
    const random = seededRandom(11);
    for (let i = 0; i < 200; i++) directory.markUsed(directory.findByNumber(pick(random, customers).customerNumber)!.id);

    const kinds: Record<string, string[]> = { 'name typed letter by letter': [], 'umlaut spelling (Mueller/Müller)': [], 'name + given name': [], 'customer number by prefix': [], 'BG number': [], 'birth date (01.02.1980, 1.2.80)': [] };
    for (let i = 0; i < queryCount; i++) {
      const c = pick(random, customers);
      kinds['name typed letter by letter']!.push(...typed(c.familyName));
      kinds['umlaut spelling (Mueller/Müller)']!.push(c.familyName.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss').toUpperCase());
      kinds['name + given name']!.push(`${c.familyName} ${c.givenNames.split(' ')[0]}`);
      kinds['customer number by prefix']!.push(...typed(c.customerNumber).slice(2));
      kinds['BG number']!.push(c.bgNumber, c.bgNumber.slice(0, 7), `${c.bgNumber.slice(0, 5)} ${c.bgNumber.slice(5, 7)} ${c.bgNumber.slice(7)}`);
      const [y, m, d] = c.birthDate.split('-');
      kinds['birth date (01.02.1980, 1.2.80)']!.push(`${d}.${m}.${y}`, `${Number(d)}.${Number(m)}.${y!.slice(2)}`);
    }
    // Warm the page cache and statement cache once.
    directory.search('m');
    // Wall time is what staff feel; CPU time shows the cost apart from other load on the machine.
    const allWall: number[] = [];
    const allCpu: number[] = [];
    const rows: string[][] = [];
    const summary = (label: string, wall: number[], cpu: number[]) => {
      wall.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      rows.push([label, String(wall.length), percentile(wall, 50).toFixed(2), percentile(wall, 99).toFixed(2), wall[wall.length - 1]!.toFixed(2), percentile(cpu, 50).toFixed(2), percentile(cpu, 99).toFixed(2)]);
    };
    for (const [kind, queries] of Object.entries(kinds)) {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const query of queries) {
        const c0 = process.cpuUsage();
        t = performance.now();
        directory.search(query, 20);
        wall.push(performance.now() - t);
        const used = process.cpuUsage(c0);
        cpu.push((used.user + used.system) / 1000);
      }
      allWall.push(...wall);
      allCpu.push(...cpu);
      summary(kind, wall, cpu);
    }
    summary('all searches', allWall, allCpu);
    const widths = [36, 7, 11, 9, 10, 11, 9];
    const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('');
    console.log(line(['  search (limit 20), ms', 'count', 'median', 'p99', 'worst', 'cpu median', 'cpu p99']));
    for (const row of rows) console.log(line([`  ${row[0]}`, ...row.slice(1)]));
    const p99 = percentile(allWall, 99);
    const cpu99 = percentile(allCpu, 99);
    const load = os.loadavg()[0]!;
    console.log(`  goal < 20 ms per search: wall p99 ${p99.toFixed(2)} ms ${p99 < 20 ? 'met' : 'NOT met'}; CPU p99 ${cpu99.toFixed(2)} ms ${cpu99 < 20 ? 'met' : 'NOT met'}`);
    if (load > os.availableParallelism()) console.log(`  (load average ${load.toFixed(1)} on ${os.availableParallelism()} cores: wall time includes waiting for a core; CPU time is the search's own cost)`);
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
