/**
 * Which names in a hot folder are not scans: files that scanners, copy tools, Office and the OS
 * leave behind while they work or as housekeeping. Pure functions on names, no file system access.
 */

/** Exact names (lower case) that operating systems and shells drop into folders. */
const SYSTEM_NAMES = new Map<string, string>([
  ['thumbs.db', 'Windows thumbnail cache (Thumbs.db)'],
  ['ehthumbs.db', 'Windows thumbnail cache (ehthumbs.db)'],
  ['ehthumbs_vista.db', 'Windows thumbnail cache (ehthumbs_vista.db)'],
  ['desktop.ini', 'Windows folder settings (desktop.ini)'],
  ['.ds_store', 'macOS folder metadata (.DS_Store)'],
  ['$recycle.bin', 'Windows recycle bin ($RECYCLE.BIN)'],
  ['system volume information', 'Windows system folder (System Volume Information)'],
  ['icon\r', 'macOS folder icon (Icon\\r)'],
]);

/**
 * Endings of files still being written: browsers, WinSCP, rsync-like tools and many scanners write
 * under a temporary name and rename when done, so the final name arrives by itself later.
 */
const TEMPORARY_SUFFIXES: readonly string[] = [
  '.tmp',
  '.temp',
  '.part',
  '.partial',
  '.crdownload',
  '.download',
  '.filepart',
  '.!ut',
  '.swp',
  '.lock',
];

/**
 * Why a file with this name must not be taken from the hot folder, or null to take it.
 * Case-insensitive. Takes a base name; a path is reduced to its last segment (either separator),
 * so callers may pass what they have.
 */
export function ignoredNameReason(fileName: string): string | null {
  if (typeof fileName !== 'string') {
    throw new TypeError(`ignoredNameReason expects a file name string, got ${typeof fileName}`);
  }
  const base = fileName.split(/[\\/]/).pop() ?? '';
  if (base.length === 0) return 'empty file name';
  const lower = base.toLowerCase();

  const system = SYSTEM_NAMES.get(lower);
  if (system) return system;
  // AppleDouble companions ("._scan.pdf") come from macOS clients on SMB shares: metadata, not the scan.
  if (lower.startsWith('._')) return 'macOS resource fork (._*)';
  if (lower.startsWith('.')) return 'hidden file (dotfile)';
  // Office and LibreOffice lock files: "~$brief.docx", ".~lock.brief.odt#" (the latter a dotfile).
  if (lower.startsWith('~$')) return 'Office lock file (~$*)';
  if (lower.startsWith('~') && lower.endsWith('.tmp')) return 'temporary file (~*.tmp)';
  for (const suffix of TEMPORARY_SUFFIXES) {
    if (lower.endsWith(suffix) && lower.length > suffix.length) return `temporary file (*${suffix})`;
  }
  // Editor backups ("scan.pdf~") and Windows' "file is being written" markers.
  if (lower.endsWith('~')) return 'backup file (*~)';
  return null;
}

/**
 * A Windows network path: `\\server\share\...` or `//server/share/...`, including the long form
 * `\\?\UNC\server\share\...`. Local long paths (`\\?\C:\...`) and device paths (`\\.\...`) are not.
 * Network shares rarely deliver change notifications reliably, hence the caller polls them.
 */
export function isUncPath(path: string): boolean {
  if (typeof path !== 'string') {
    throw new TypeError(`isUncPath expects a path string, got ${typeof path}`);
  }
  const normalised = path.replace(/\//g, '\\');
  const longUnc = /^\\\\\?\\unc\\/i;
  let rest: string;
  if (longUnc.test(normalised)) {
    rest = normalised.slice('\\\\?\\UNC\\'.length);
  } else if (normalised.startsWith('\\\\?\\') || normalised.startsWith('\\\\.\\')) {
    return false;
  } else if (normalised.startsWith('\\\\') && !normalised.startsWith('\\\\\\')) {
    rest = normalised.slice(2);
  } else {
    return false;
  }
  const [server, share] = rest.split('\\');
  return Boolean(server) && Boolean(share);
}
