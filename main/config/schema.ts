/**
 * The station's configuration: one zod schema with embedded defaults, so a first start with no file
 * at all yields a working station, and a bad value is reported with its field and what was expected.
 */
import { z } from 'zod';

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
  })
  .strict();

export type StationConfig = z.infer<typeof stationConfigSchema>;
export type HotFolderConfig = z.infer<typeof hotFolderSchema>;
export type Profile = z.infer<typeof profileSchema>;
export type ImagingConfig = z.infer<typeof imagingSchema>;

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
