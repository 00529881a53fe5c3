// Reads the export document (owned by the server, SPEC §9 "access and portability") just enough
// to tell the user what it holds. A browser copy is offered only when the server includes a
// short-lived https link: the export itself needs the bearer token, which a browser tab lacks.
export interface ExportSummary {
  counts: { jobs: number; outputs: number; ledger: number; consents: number };
  downloadUrl: string | null;
}

const count = (value: unknown) => (Array.isArray(value) ? value.length : 0);

export function summariseExport(doc: Record<string, unknown>): ExportSummary {
  const jobs = Array.isArray(doc.jobs) ? (doc.jobs as Record<string, unknown>[]) : [];
  const outputs = Array.isArray(doc.outputs)
    ? doc.outputs.length
    : jobs.reduce((n, job) => n + count(job.outputs), 0);
  const link = doc.downloadUrl;
  return {
    counts: {
      jobs: jobs.length,
      outputs,
      ledger: count(doc.ledger ?? doc.creditLedger),
      consents: count(doc.consents),
    },
    downloadUrl: typeof link === "string" && link.startsWith("https://") ? link : null,
  };
}
