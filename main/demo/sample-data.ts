/**
 * `npm start -- --demo`: a first-time user sees the whole flow at once. Adds a few fictitious
 * customers (an upsert: running it again changes nothing) and drops freshly drawn sample scans into
 * the first hot folder, as a scanner would (written under an ignored name, then renamed). Every
 * run's pages carry the time, so they are new content, never duplicates of the last run's.
 * All names and numbers are invented.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Station } from '../station.js';

export const DEMO_CUSTOMERS_CSV = `Kundennummer;BG-Nummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort
123D456789;12301BG0012345;Müller;Jana;14.03.1985;Lindenstraße 4;10115;Berlin
123D456790;12301BG0012345;Müller;Paul;02.11.1983;Lindenstraße 4;10115;Berlin
123D456791;12301BG0012399;Özdemir;Ayşe;21.07.1990;Hafenweg 12;20457;Hamburg
123D456792;12301BG0012400;Schröder;Klaus-Dieter;30.01.1962;Am Markt 1;04109;Leipzig
123D456793;12301BG0012401;Nguyen;Thi Lan;09.09.1995;Gartenstraße 7b;50667;Köln
123D456794;12301BG0012402;Weiß;Sophie;18.05.2001;Bahnhofstraße 22;80335;München
`;

const A4_150DPI = { width: 1240, height: 1754 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A plain letter page as an image: heading, a few lines of body text, a page number. */
export async function drawSamplePage(title: string, lines: string[], pageLabel: string, angleDegrees = 0): Promise<Buffer> {
  const { width, height } = A4_150DPI;
  const body = lines.map((line, i) => `<text x="150" y="${520 + i * 42}" font-size="28">${escapeXml(line)}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#fbfaf6"/>
    <g font-family="DejaVu Sans, Arial, sans-serif" fill="#1a1a1a">
      <text x="150" y="260" font-size="24">Musterstadt · Beispielweg 1 · 12345 Musterstadt</text>
      <text x="150" y="420" font-size="40" font-weight="bold">${escapeXml(title)}</text>
      ${body}
      <text x="${width - 300}" y="${height - 120}" font-size="24">${escapeXml(pageLabel)}</text>
    </g>
  </svg>`;
  let image = sharp(Buffer.from(svg)).withDensity(150);
  if (angleDegrees) image = image.rotate(angleDegrees, { background: '#fbfaf6' }).resize(width, height, { fit: 'cover' });
  return image.greyscale().jpeg({ quality: 85 }).withDensity(150).toBuffer();
}

function dropFile(folder: string, name: string, data: Buffer): void {
  const temp = path.join(folder, `${name}.part`);
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, path.join(folder, name));
}

export interface DemoOutcome {
  customers: number;
  files: string[];
  hotFolder: string | null;
}

export async function runDemo(station: Station, now = new Date()): Promise<DemoOutcome> {
  const report = await station.customers.importCsv(Buffer.from(DEMO_CUSTOMERS_CSV, 'utf8'), 'demo-kunden.csv');
  const folder = station.config.hotFolders.find((f) => f.enabled)?.path ?? null;
  if (!folder) return { customers: report.imported + report.updated + report.unchanged, files: [], hotFolder: null };
  fs.mkdirSync(folder, { recursive: true });
  const stamp = now.toLocaleString('de-DE');
  const tag = now.toISOString().replace(/[^0-9]/g, '').slice(0, 14);
  const letter = [
    'Sehr geehrte Damen und Herren,',
    'hiermit beantrage ich die Weiterbewilligung der Leistungen',
    'nach dem SGB II ab dem nächsten Monat.',
    'Die Unterlagen zu meinem Einkommen liegen bei.',
    '',
    'Mit freundlichen Grüßen',
    'Jana Müller',
    `(Beispielscan vom ${stamp})`,
  ];
  const files: [string, Buffer][] = [
    [`demo_${tag}_scan_1.jpg`, await drawSamplePage('Weiterbewilligungsantrag', letter, 'Seite 1 von 2', 1.2)],
    [`demo_${tag}_scan_2.jpg`, await drawSamplePage('Anlage: Einkommensnachweis', ['Lohnabrechnung Oktober', 'Brutto 1.480,00 EUR', 'Netto 1.152,37 EUR', `(Beispielscan vom ${stamp})`], 'Seite 2 von 2', -0.8)],
  ];
  for (const [name, data] of files) dropFile(folder, name, data);
  return { customers: report.imported + report.updated + report.unchanged, files: files.map(([name]) => name), hotFolder: folder };
}
