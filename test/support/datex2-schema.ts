import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';

/** The DATEX II v3.6 schema set, copied into the repository (test/fixtures/schemas/datex2-v3.6/README.md). */
const DIR = fileURLToPath(new URL('../fixtures/schemas/datex2-v3.6/', import.meta.url));
const ENTRY = 'DATEXII_3_D2Payload.xsd';

let files: Promise<XMLFileInfo[]> | undefined;
const loadSchemas = () => {
  files ??= readdir(DIR).then((names) =>
    Promise.all(
      names.filter((n) => n.endsWith('.xsd')).map(async (fileName) => ({ fileName, contents: await readFile(DIR + fileName, 'utf8') })),
    ),
  );
  return files;
};

/** Validates a DATEX II v3 document against `DATEXII_3_D2Payload.xsd` with libxml2 (wasm); returns its errors. */
export async function validateDatex2(xml: string): Promise<string[]> {
  const schemas = await loadSchemas();
  const entry = schemas.find((f) => f.fileName === ENTRY) as XMLFileInfo;
  const result = await validateXML({
    xml: [{ fileName: 'document.xml', contents: xml }],
    schema: [entry],
    preload: schemas.filter((f) => f !== entry),
    maxMemoryPages: 4096,
  });
  return result.errors.map((e) => e.rawMessage);
}
