/**
 * The station's configuration: one zod schema with embedded defaults, so a first start with no file
 * at all yields a working station, and a bad value is reported with its field and what was expected.
 */
import { z } from 'zod';
import { customerFieldNames } from '../customers/columns.js';
import { barcodeRuleSchema, defaultBarcodeRules } from '../mailroom/codes/rules.js';

export const profileKinds = ['front_desk', 'mailroom'] as const;
export const colourModes = ['auto', 'colour', 'grey', 'bw'] as const;

const grouping = z
  .object({
    /**
     * 'batch': single-page files arriving within the quiet window form one document;
     * 'per_file': every file is its own document. A multi-page file is one document either way.
     */
    rule: z.enum(['batch', 'per_file']).default('batch'),
    quietWindowMs: z.number().int().min(0).max(600_000).default(4_000),
  })
  .strict();

/** Mailroom separation (main/mailroom/flow/split.ts): which signal splits a batch into documents. */
const separationSchema = z
  .object({
    mode: z.enum(['none', 'blank_sheet', 'station_sheet', 'patch_t', 'barcode_first_page', 'fixed_pages']).default('none'),
    /** fixed_pages: pages per document (sheets per document with duplex). */
    pages: z.number().int().min(1).max(10_000).optional(),
    /** The scanner scans both sides: pages arrive as front/back pairs. */
    duplex: z.boolean().default(false),
  })
  .strict()
  .refine((value) => value.mode !== 'fixed_pages' || value.pages !== undefined, { message: 'mode "fixed_pages" needs "pages" (pages per document)', path: ['pages'] });

export const profileSchema = z
  .object({
    name: z.string().min(1).max(80).default('Empfang'),
    kind: z.enum(profileKinds).default('front_desk'),
    colourMode: z.enum(colourModes).default('auto'),
    grouping: grouping.default({ rule: 'batch', quietWindowMs: 4_000 }),
    defaultDocumentType: z.string().min(1).max(80).default('Sonstiges'),
    /** What happens to the scanner's file once its copy is safely in the station store. */
    afterIngest: z.enum(['delete', 'keep']).default('delete'),
    /** Drop blank pages (typically the empty backs of duplex scans). Blank pages are always flagged. */
    dropBlankPages: z.boolean().default(false),
    /** Mailroom profiles: how a batch is split into documents (main/mailroom/flow/split.ts). */
    separation: separationSchema.default({ mode: 'none', duplex: false }),
    /** Mailroom profiles: a document assigned by its barcode or cover sheet goes straight to sending. */
    autoSend: z.boolean().default(false),
    /** Send this profile's documents to this target instead of sending.defaultTarget. */
    sendingTarget: z.string().min(1).max(40).optional(),
  })
  .strict();

export const hotFolderSchema = z
  .object({
    path: z.string().min(1),
    profile: profileSchema.default(profileSchema.parse({})),
    /** 'auto' polls network shares (UNC paths), where file events are unreliable. */
    polling: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    enabled: z.boolean().default(true),
  })
  .strict();

export const imagingSchema = z
  .object({
    /** JPEG quality for grey and colour pages that must be re-encoded. */
    jpegQuality: z.number().int().min(30).max(100).default(75),
    /** Below this skew a page is not turned (and a JPEG goes into the PDF byte for byte). */
    minSkewDegrees: z.number().min(0).max(2).default(0.1),
    maxSkewDegrees: z.number().min(1).max(45).default(15),
    /** Parallel page workers; 0 = one per core. */
    workers: z.number().int().min(0).max(32).default(0),
  })
  .strict();

/** Where documents are sent. Secrets (tokens, passphrases) may be given inline or, better, as the name of an environment variable. */
const secret = z.union([z.string().min(1), z.strictObject({ env: z.string().min(1) })]);
const targetName = z.string().min(1).max(40).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"');
const tlsOptions = {
  /** Extra trusted CA certificates (PEM file), e.g. an internal government CA. Verification is always on. */
  caFile: z.string().min(1).optional(),
  /** HTTP proxy for this target (CONNECT tunnel), e.g. http://proxy.local:3128. */
  proxy: z.string().url().optional(),
  timeoutMs: z.number().int().min(1_000).max(600_000).optional(),
};
const httpAuth = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({ type: z.literal('bearer'), token: secret }),
    z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: secret }),
    z.strictObject({ type: z.literal('client_certificate'), certFile: z.string().min(1), keyFile: z.string().min(1), passphrase: secret.optional() }),
  ])
  .default({ type: 'none' });
export const sendingTargetSchema = z.discriminatedUnion('kind', [
  /** The REST API in main/receiver/openapi.yaml: POST <url>/documents. */
  z.strictObject({ kind: z.literal('rest'), name: targetName, url: z.string().url(), auth: httpAuth, ...tlsOptions }),
  /** A WebDAV collection: <url>/<document id>.pdf plus <document id>.json. */
  z.strictObject({ kind: z.literal('webdav'), name: targetName, url: z.string().url(), auth: httpAuth, ...tlsOptions }),
  /** A DMS import folder (often an SMB share): PDF, then index files (JSON, XML, optional CSV). Default folder: <dataDir>/outbox. */
  z.strictObject({ kind: z.literal('folder'), name: targetName, path: z.string().min(1).optional(), csv: z.boolean().default(false) }),
]);
export const sendingSchema = z
  .object({
    /** The built-in target "outbox" (folder export to <dataDir>/outbox) always exists unless redefined. */
    targets: z.array(sendingTargetSchema).default([]),
    defaultTarget: targetName.default('outbox'),
    /** Counted attempts before a document needs attention. Attempts while offline are not counted. */
    maxAttempts: z.number().int().min(1).max(100).default(8),
    concurrency: z.number().int().min(1).max(2).default(1),
    timeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
    /** Local PDF, page images and originals are deleted this many days after confirmed delivery. */
    retentionDays: z.number().min(0).max(3650).default(7),
    backoffBaseMs: z.number().int().min(10).max(600_000).default(2_000),
    backoffMaxMs: z.number().int().min(100).max(3_600_000).default(300_000),
    /** While offline the target is probed at growing intervals up to this one. */
    probeMaxIntervalMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict();

/** The usual Dokumentarten of a Jobcenter's intake; "Sonstiges" last, as the catch-all. */
export const DEFAULT_DOCUMENT_TYPES = [
  'Antrag',
  'Weiterbewilligungsantrag',
  'Einkommensnachweis',
  'Kontoauszug',
  'Mietvertrag/Nebenkosten',
  'Arbeitsunfähigkeitsbescheinigung',
  'Bewerbungsnachweis',
  'Widerspruch',
  'Sonstiges',
] as const;

export const documentTypesSchema = z
  .array(z.string().trim().min(1).max(80))
  .min(1)
  .max(200)
  .refine((types) => new Set(types.map((t) => t.toLocaleLowerCase('de-DE'))).size === types.length, 'each document type only once')
  .default([...DEFAULT_DOCUMENT_TYPES]);

/** The customer directory (main/customers): CSV import column names and the optional sync server. */
export const customersSchema = z
  .object({
    /** Sync from a REST endpoint (protocol in main/customers/README.md). Without it the directory comes from CSV imports. */
    sync: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        /** Bearer token, inline or as { env: "VARIABLE" }. */
        token: z.union([z.string().min(1), z.strictObject({ env: z.string().min(1) })]).optional(),
        intervalMinutes: z.number().int().min(1).max(24 * 60).default(60),
        timeoutSeconds: z.number().int().min(1).max(600).default(30),
        /** Query parameter carrying the cursor the server returned last time. */
        cursorParam: z.string().min(1).max(40).default('updatedSince'),
      })
      .strict()
      .optional(),
    /** A site's own CSV header names, e.g. { "KD-NUMMER": "customerNumber", "GEBURTSTAG": "birthDate" }. */
    csvColumns: z.record(z.string().min(1).max(80), z.enum(customerFieldNames)).default({}),
  })
  .strict();

/** Mailroom settings shared by all mailroom profiles (main/mailroom/README.md). */
export const mailroomSchema = z
  .object({
    /**
     * Regular expressions with named groups (customer, type, pages) that turn a barcode's content
     * into a customer number, document type and expected page count; the first match per code wins.
     */
    barcodeRules: z.array(barcodeRuleSchema).max(50).prefault(defaultBarcodeRules),
  })
  .strict();

export const stationConfigSchema = z
  .object({
    version: z.literal(1).default(1),
    /** Names this station in PDFs and the audit trail. Defaults to the host name. */
    stationId: z.string().min(1).max(64).optional(),
    /** Hot folders. Empty means: one inbox folder inside the data folder. */
    hotFolders: z.array(hotFolderSchema).default([]),
    watcher: z
      .object({
        /** A file counts as complete when its size and mtime are unchanged this long. */
        stableWindowMs: z.number().int().min(100).max(120_000).default(2_000),
        pollIntervalMs: z.number().int().min(50).max(60_000).default(500),
        reconcileIntervalMs: z.number().int().min(500).max(3_600_000).default(30_000),
      })
      .strict()
      .default({ stableWindowMs: 2_000, pollIntervalMs: 500, reconcileIntervalMs: 30_000 }),
    imaging: imagingSchema.default(imagingSchema.parse({})),
    /** Job leases: a running step not renewed in this time is taken up again after a crash. */
    jobLeaseMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
    /** Document types (Dokumentarten) staff choose from when assigning, in this order. */
    documentTypes: documentTypesSchema,
    sending: sendingSchema.default(sendingSchema.parse({})),
    customers: customersSchema.default({ csvColumns: {} }),
    mailroom: mailroomSchema.default(mailroomSchema.parse({})),
  })
  .strict();

export type StationConfig = z.infer<typeof stationConfigSchema>;
export type HotFolderConfig = z.infer<typeof hotFolderSchema>;
export type Profile = z.infer<typeof profileSchema>;
export type ImagingConfig = z.infer<typeof imagingSchema>;
export type SendingConfig = z.infer<typeof sendingSchema>;
export type SendingTargetConfig = z.infer<typeof sendingTargetSchema>;
export type CustomersConfig = z.infer<typeof customersSchema>;
export type MailroomConfig = z.infer<typeof mailroomSchema>;

/** One line per problem, naming the field path and what was expected. */
export function describeConfigIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    return `  ${field}: ${issue.message}`;
  });
  return `Invalid configuration in ${source}:\n${lines.join('\n')}`;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(value: unknown, source: string): StationConfig {
  const result = stationConfigSchema.safeParse(value);
  if (!result.success) throw new ConfigError(describeConfigIssues(result.error, source));
  return result.data;
}
