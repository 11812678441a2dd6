import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

/** Validates a parsed CycloneDX 1.6 JSON document against the schema shipped in @cyclonedx/cyclonedx-library; null when valid. */
export async function validateCycloneDxJson(bom: unknown): Promise<unknown> {
  const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  return validator.validate(JSON.stringify(bom));
}
