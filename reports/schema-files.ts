/**
 * The JSON Schema files durabench ships (`schemas/<kind>-report.schema.json` in the package), made
 * from the TypeBox definitions in model/ — the same source as the TypeScript types and as the check
 * `reports/read.ts` runs on every report it reads. `npm run schemas` writes them; a test checks that
 * the shipped files are exactly what this produces. Pure.
 */
import { REPORT_KINDS, SCHEMA_VERSION, type ReportKind } from '../model/report.js';
import { reportSchemas } from './read.js';

const TITLES: Record<ReportKind, string> = {
  run: 'durabench run report (durabench run, tune, merge)',
  crash: 'durabench crash report (durabench crash)',
  probe: 'durabench probe report (durabench probe)',
  env: 'durabench environment report (durabench env --format json)',
};

export interface SchemaFile {
  /** File name inside `schemas/`. */
  readonly file: string;
  readonly kind: ReportKind;
  readonly text: string;
}

/** Every shipped schema file with its exact text. */
export function schemaFiles(): SchemaFile[] {
  const schemas = reportSchemas();
  return REPORT_KINDS.map((kind) => ({
    file: `${kind}-report.schema.json`,
    kind,
    text:
      JSON.stringify(
        {
          $schema: 'http://json-schema.org/draft-07/schema#',
          title: TITLES[kind],
          $comment: `schemaVersion ${SCHEMA_VERSION}. Generated from model/*.ts (TypeBox) by npm run schemas; do not edit. Readers accept additional properties (optional fields added without a version bump).`,
          // JSON.stringify drops TypeBox's symbol-keyed metadata: what is left is plain JSON Schema.
          ...JSON.parse(JSON.stringify(schemas[kind])),
        },
        null,
        2,
      ) + '\n',
  }));
}
