import { z } from 'zod';

/** The one rule for registry ids (facilities, spots, sensor models): lower-case slugs of 1–64 characters. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Registry ids (facilities, spots, sensor models) as a schema. */
export const slugSchema = z.string().regex(SLUG_PATTERN, 'must be a lower-case slug of 1–64 characters');
