export { EXTERNAL_ID_PATTERN, validateExternalId } from './validate-external-id.ts';
export { generateExternalId, type GenerateExternalIdOptions } from './generate-external-id.ts';
export {
  parseScopedExternalId,
  scopedExternalId,
  scopedExternalIdPatterns,
  validateScopedExternalIdParts,
  type RunPhase,
  type ScopedExternalIdParts,
  type ScopedExternalIdScope,
} from './scoped-external-id.ts';
