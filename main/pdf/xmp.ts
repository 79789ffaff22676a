/**
 * The XMP metadata packet of an assembled document. It repeats what the Info dictionary says
 * (PDF/A wants the two to agree) and carries the station's own fields in a custom namespace.
 * Plain string building: the values are few and escaped, and it keeps a dependency out.
 */

/** Namespace of the station's own XMP properties. */
export const INTAKE_XMP_NAMESPACE = 'http://ns.intake-station.local/xmp/1.0/';

export interface XmpFields {
  title: string;
  createdAt: Date;
  producer: string;
  creatorTool: string;
  keywords: string;
  stationId: string;
  documentId: string;
  pageCount: number;
  sourceSha256: string[];
}

/** ISO 8601 in UTC without milliseconds: the same instant as the Info dictionary's D:…Z date. */
export function xmpDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildXmpPacket(fields: XmpFields): string {
  const date = xmpDate(fields.createdAt);
  const hashes = fields.sourceSha256.map((hash) => `<rdf:li>${escapeXml(hash)}</rdf:li>`).join('');
  return [
    // The BOM inside begin="" is what the XMP spec asks for to mark the packet's encoding.
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about=""',
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
    ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
    ` xmlns:intake="${INTAKE_XMP_NAMESPACE}">`,
    '<dc:format>application/pdf</dc:format>',
    `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(fields.title)}</rdf:li></rdf:Alt></dc:title>`,
    `<xmp:CreateDate>${date}</xmp:CreateDate>`,
    `<xmp:ModifyDate>${date}</xmp:ModifyDate>`,
    `<xmp:MetadataDate>${date}</xmp:MetadataDate>`,
    `<xmp:CreatorTool>${escapeXml(fields.creatorTool)}</xmp:CreatorTool>`,
    `<pdf:Producer>${escapeXml(fields.producer)}</pdf:Producer>`,
    `<pdf:Keywords>${escapeXml(fields.keywords)}</pdf:Keywords>`,
    `<intake:StationId>${escapeXml(fields.stationId)}</intake:StationId>`,
    `<intake:DocumentId>${escapeXml(fields.documentId)}</intake:DocumentId>`,
    `<intake:PageCount>${fields.pageCount}</intake:PageCount>`,
    `<intake:SourceSha256><rdf:Seq>${hashes}</rdf:Seq></intake:SourceSha256>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    // Writable packet: tools may rewrite the metadata in place within this padding.
    ' '.repeat(1024),
    '<?xpacket end="w"?>',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
