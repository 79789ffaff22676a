/**
 * Versioned schema migrations. Append only: a released migration is never edited, a change is a
 * new entry. Each runs in its own transaction together with the bump of user_version.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    description: 'sources, batches, documents, pages, jobs, audit',
    sql: `
      CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        hot_folder TEXT NOT NULL,
        quiet_window_ms INTEGER NOT NULL,
        opened_at TEXT NOT NULL,
        last_arrival_ms INTEGER NOT NULL,
        closed_at TEXT
      );
      CREATE INDEX batches_open ON batches(hot_folder) WHERE closed_at IS NULL;

      CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('processing','needs_review','ready','queued','uploading','uploaded','purged','error','quarantined')),
        title TEXT NOT NULL,
        hot_folder TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        document_type TEXT,
        customer_id TEXT,
        note TEXT,
        batch_id TEXT REFERENCES batches(id),
        page_count INTEGER NOT NULL DEFAULT 0,
        pdf_path TEXT,
        pdf_sha256 TEXT,
        pdf_bytes INTEGER,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX documents_state ON documents(state, created_at);

      CREATE TABLE source_files (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        sha256 TEXT,
        size INTEGER,
        original_name TEXT NOT NULL,
        hot_folder TEXT NOT NULL,
        hot_path TEXT NOT NULL,
        hot_mtime_ms REAL,
        hot_removed INTEGER NOT NULL DEFAULT 0,
        stored_path TEXT,
        format TEXT,
        page_count INTEGER,
        state TEXT NOT NULL CHECK (state IN ('ingested','processed','quarantined','duplicate')),
        duplicate_of TEXT REFERENCES source_files(id),
        batch_id TEXT REFERENCES batches(id),
        document_id TEXT REFERENCES documents(id),
        reason_code TEXT,
        reason TEXT,
        ingested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX source_files_sha ON source_files(sha256);
      CREATE INDEX source_files_batch ON source_files(batch_id);
      CREATE INDEX source_files_hot_path ON source_files(hot_path);

      CREATE TABLE pages (
        id TEXT PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES source_files(id),
        source_index INTEGER NOT NULL,
        document_id TEXT REFERENCES documents(id),
        position INTEGER,
        image_path TEXT NOT NULL,
        image_format TEXT NOT NULL CHECK (image_format IN ('jpeg','g4tiff')),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        dpi REAL NOT NULL,
        skew_degrees REAL,
        skew_confidence REAL,
        skew_reliable INTEGER NOT NULL DEFAULT 1,
        rotated_degrees REAL NOT NULL DEFAULT 0,
        blank INTEGER NOT NULL DEFAULT 0,
        dropped INTEGER NOT NULL DEFAULT 0,
        colour_mode TEXT NOT NULL,
        passthrough INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL,
        processing_json TEXT,
        UNIQUE (source_id, source_index),
        UNIQUE (document_id, position)
      );
      CREATE INDEX pages_document ON pages(document_id, position);

      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending','running','done','failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_expires_ms INTEGER,
        run_after_ms INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (kind, subject_id)
      );
      CREATE INDEX jobs_pending ON jobs(state, run_after_ms, id);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        station_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        detail TEXT
      );
      CREATE INDEX audit_subject ON audit(subject_type, subject_id);
      -- Append only: the trail cannot be edited or shortened through SQL.
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    `,
  },
  {
    version: 2,
    description: 'pages: orientation turn and whether it could be told',
    sql: `
      ALTER TABLE pages ADD COLUMN turn_quarters INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE pages ADD COLUMN orientation_reliable INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 4,
    description: 'sending: attempt history, confirmed deliveries, sending settings',
    sql: `
      -- One row per send attempt (the history staff see); counted = 0 for attempts that found the station offline.
      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id TEXT NOT NULL,
        target TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('running','delivered','retry','offline','failed','interrupted')),
        counted INTEGER NOT NULL DEFAULT 1,
        http_status INTEGER,
        code TEXT,
        message TEXT,
        remote_id TEXT
      );
      CREATE INDEX deliveries_document ON deliveries(document_id, id);
      -- The receipt of a confirmed delivery: what retention relies on.
      CREATE TABLE sent_documents (
        document_id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        remote_sha256 TEXT NOT NULL,
        receipt TEXT NOT NULL,
        delivered_at TEXT NOT NULL,
        delivered_at_ms INTEGER NOT NULL,
        purged_at TEXT
      );
      CREATE INDEX sent_documents_due ON sent_documents(delivered_at_ms) WHERE purged_at IS NULL;
      CREATE TABLE sending_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 3,
    description: 'customer directory: customers, full-text index over folded names, numbers and birth dates, import/sync state',
    sql: `
      CREATE TABLE customers (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        customer_number TEXT NOT NULL,
        customer_key TEXT NOT NULL UNIQUE,
        bg_number TEXT,
        bg_key TEXT,
        family_name TEXT NOT NULL,
        given_names TEXT NOT NULL DEFAULT '',
        birth_date TEXT,
        street TEXT,
        postal_code TEXT,
        city TEXT,
        source TEXT NOT NULL CHECK (source IN ('csv','sync')),
        sort_key TEXT NOT NULL,
        -- Search order in one key: '0' + inverted time for the recently used, else '1' + sort_key.
        rank_key TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        last_used_at TEXT
      );
      CREATE INDEX customers_bg ON customers(bg_key) WHERE bg_key IS NOT NULL;
      CREATE INDEX customers_rank ON customers(rank_key) WHERE deleted = 0;
      -- Folded words only (see main/customers/fold.ts); rowid = customers.seq; deleted customers are not in it.
      -- Date words start with '_' so that their prefixes never mix with those of names (a search for "b" or "i").
      CREATE VIRTUAL TABLE customers_fts USING fts5(names, numbers, dates, content = '', contentless_delete = 1, tokenize = "unicode61 remove_diacritics 0 tokenchars '_'", prefix = '1 2', detail = column);
      CREATE TABLE customer_directory (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 5,
    description: 'document edits: staff turns and deletions per page, durable undo history, document order',
    sql: `
      -- Staff's quarter turns (clockwise, 0-3) and hand turn (degrees clockwise) on top of the clean-up;
      -- the kept page image is turned when the PDF is built. removed: deleted by staff, kept for undo.
      ALTER TABLE pages ADD COLUMN edit_quarters INTEGER NOT NULL DEFAULT 0 CHECK (edit_quarters BETWEEN 0 AND 3);
      ALTER TABLE pages ADD COLUMN fine_degrees REAL NOT NULL DEFAULT 0;
      ALTER TABLE pages ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
      -- Where a document sits among its batch's documents (split and merge); NULL: by created_at.
      ALTER TABLE documents ADD COLUMN order_key REAL;
      -- One row per page edit; snapshot holds what undo puts back (ids, positions, turns, rows).
      CREATE TABLE document_edits (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        snapshot TEXT NOT NULL,
        undone_at TEXT,
        undone_by TEXT
      );
      -- Every document an edit touched (two for split and merge).
      CREATE TABLE document_edit_subjects (
        edit_id INTEGER NOT NULL REFERENCES document_edits(id),
        document_id TEXT NOT NULL,
        PRIMARY KEY (document_id, edit_id)
      );
    `,
  },
  {
    version: 8,
    description: 'quarantine: what staff did with a quarantined file (retried, discarded), the row itself stays quarantined',
    sql: `
      -- The state stays 'quarantined' (the history); the outcome says it has been dealt with.
      ALTER TABLE source_files ADD COLUMN quarantine_outcome TEXT CHECK (quarantine_outcome IN ('retried','discarded'));
      ALTER TABLE source_files ADD COLUMN quarantine_closed_at TEXT;
      -- A retry takes the original in again as a new source row; this points at it.
      ALTER TABLE source_files ADD COLUMN retried_as TEXT REFERENCES source_files(id);
      CREATE INDEX source_files_open_quarantine ON source_files(seq) WHERE state = 'quarantined' AND quarantine_outcome IS NULL;
    `,
  },
  {
    version: 6,
    description: 'mailroom: marks read per page, how each batch document was split and assigned, its flags',
    sql: `
      -- What the codes reader found on a page (barcodes, separator, cover sheet), stored with the page.
      CREATE TABLE page_marks (
        page_id TEXT PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
        marks_json TEXT,
        error TEXT,
        read_ms REAL
      );
      -- One row per document made by splitting a mailroom batch.
      CREATE TABLE mailroom_documents (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        batch_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        split_reason TEXT NOT NULL,
        split_at INTEGER NOT NULL,
        assignment_json TEXT,
        expected_pages INTEGER,
        flags_json TEXT NOT NULL DEFAULT '[]',
        state_after_assembly TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX mailroom_documents_batch ON mailroom_documents(batch_id, seq);
    `,
  },
];
