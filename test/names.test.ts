import { describe, expect, it } from 'vitest';
import { ignoredNameReason, isUncPath } from '../main/intake/names.js';

describe('ignoredNameReason', () => {
  const taken = [
    'scan0001.pdf',
    'SCAN_20261105_0931.JPG',
    'Bescheid Müller.tiff',
    'page.png',
    'a.b.c.pdf',
    'temp.pdf', // "temp" in the stem is a real name
    'tmp',
    'report.tmp.pdf', // the final extension decides
    'part',
    'lock.jpg',
    '$scan.pdf',
    'x~y.pdf',
  ];
  it.each(taken)('takes %j', (name) => {
    expect(ignoredNameReason(name)).toBeNull();
  });

  const ignored: Array<[string, RegExp]> = [
    ['.DS_Store', /macOS folder metadata/],
    ['.ds_store', /macOS folder metadata/],
    ['Thumbs.db', /thumbnail cache/],
    ['THUMBS.DB', /thumbnail cache/],
    ['desktop.ini', /folder settings/],
    ['Desktop.INI', /folder settings/],
    ['.hidden.pdf', /hidden file/],
    ['._scan0001.pdf', /resource fork/],
    ['~$Bescheid.docx', /Office lock file/],
    ['~WRL0001.tmp', /temporary file \(~\*\.tmp\)/],
    ['~scan.TMP', /temporary file \(~\*\.tmp\)/],
    ['scan0001.tmp', /temporary file \(\*\.tmp\)/],
    ['scan0001.pdf.TMP', /temporary file \(\*\.tmp\)/],
    ['scan0001.pdf.part', /temporary file \(\*\.part\)/],
    ['scan.pdf.crdownload', /temporary file \(\*\.crdownload\)/],
    ['scan.pdf.filepart', /temporary file \(\*\.filepart\)/],
    ['scan.pdf.partial', /temporary file \(\*\.partial\)/],
    ['scan.temp', /temporary file \(\*\.temp\)/],
    ['scan.pdf~', /backup file/],
    ['.~lock.brief.odt#', /hidden file/],
    ['', /empty file name/],
  ];
  it.each(ignored)('ignores %j', (name, reason) => {
    const got = ignoredNameReason(name);
    expect(got).not.toBeNull();
    expect(got).toMatch(reason);
  });

  it('looks only at the last path segment', () => {
    expect(ignoredNameReason('/srv/scans/.hidden/scan.pdf')).toBeNull();
    expect(ignoredNameReason('C:\\Scans\\Thumbs.db')).toMatch(/thumbnail cache/);
    expect(ignoredNameReason('/srv/scans/scan.pdf.part')).toMatch(/\*\.part/);
  });

  it('rejects a non-string with a clear error', () => {
    expect(() => ignoredNameReason(42 as unknown as string)).toThrow(/file name string, got number/);
  });
});

describe('isUncPath', () => {
  const cases: Array<[string, boolean]> = [
    ['\\\\server\\share', true],
    ['\\\\server\\share\\scans\\in', true],
    ['//server/share/scans', true],
    ['\\\\nas.jobcenter.local\\Scan$\\Platz3', true],
    ['\\\\?\\UNC\\server\\share\\scans', true],
    ['\\\\?\\unc\\server\\share', true],
    ['\\\\server', false], // no share
    ['\\\\server\\', false],
    ['//server', false],
    ['\\\\?\\C:\\Scans', false], // local long path
    ['\\\\.\\PhysicalDrive0', false], // device path
    ['\\\\\\server\\share', false], // three slashes is no UNC
    ['C:\\Scans\\in', false],
    ['/srv/scans', false],
    ['scans', false],
    ['', false],
  ];
  it.each(cases)('%j -> %s', (path, expected) => {
    expect(isUncPath(path)).toBe(expected);
  });
});
