import { Type, type TSchema } from '@sinclair/typebox';

/** Shared schema pieces for routes. Every object rejects unknown properties. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_\\-]+$' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Paging = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details with a stable code' },
);

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export function strictObject<P extends Record<string, TSchema>>(props: P, opts: { description?: string } = {}) {
  return Type.Object(props, { additionalProperties: false, ...opts });
}

export const problemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
};
