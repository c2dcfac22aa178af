import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { AppError, notFound, validationFailed } from '../../platform/http/errors.ts';
import { authorize, type Actor } from '../access/index.ts';
import { catalogueRepo } from './repository.ts';
import { DEFAULT_VOCABULARIES, FIXED_KINDS, VOCAB_KINDS, type VocabKind } from './vocabulary-defaults.ts';

export interface VocabularyItem {
  kind: string;
  code: string;
  labelZh: string;
  labelEn: string;
  position: number;
  active: boolean;
}

/** Inserts default entries that are missing; never overwrites an admin's edits. */
export async function seedVocabularies(db: Db): Promise<void> {
  const existing = new Set((await catalogueRepo.vocabulary(db)).map((v) => `${v.kind}\u0000${v.code}`));
  for (const kind of VOCAB_KINDS) {
    const entries = DEFAULT_VOCABULARIES[kind];
    for (const [i, e] of entries.entries()) {
      if (existing.has(`${kind}\u0000${e.code}`)) continue;
      await catalogueRepo.insertVocab(db, {
        id: randomUUID(),
        kind,
        code: e.code,
        label_zh: e.zh,
        label_en: e.en,
        position: i,
        active: 1,
      });
    }
  }
}

export async function listVocabulary(db: Db, kind?: string): Promise<VocabularyItem[]> {
  if (kind !== undefined && !VOCAB_KINDS.includes(kind as VocabKind))
    throw validationFailed(`unknown vocabulary ${kind}; one of ${VOCAB_KINDS.join(', ')}`, { field: 'kind' });
  return (await catalogueRepo.vocabulary(db, kind)).map((v) => ({
    kind: v.kind,
    code: v.code,
    labelZh: v.label_zh,
    labelEn: v.label_en,
    position: v.position,
    active: v.active === 1,
  }));
}

export async function putVocabularyEntry(
  db: Db,
  actor: Actor,
  kind: string,
  code: string,
  input: { labelZh: string; labelEn: string; position?: number; active?: boolean },
): Promise<VocabularyItem> {
  authorize(actor, { action: 'vocabulary.manage' });
  if (!VOCAB_KINDS.includes(kind as VocabKind)) throw notFound('vocabulary', kind);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(code))
    throw validationFailed('code must be 1–64 letters, digits, _ . -', { field: 'code' });
  const existing = await catalogueRepo.vocabEntry(db, kind, code);
  if (!existing) {
    if ((FIXED_KINDS as readonly string[]).includes(kind))
      throw new AppError(
        409,
        'fixed_vocabulary',
        `The codes of ${kind} are fixed by the product; only their labels can change`,
      );
    await catalogueRepo.insertVocab(db, {
      id: randomUUID(),
      kind,
      code,
      label_zh: input.labelZh,
      label_en: input.labelEn,
      position: input.position ?? 999,
      active: input.active === false ? 0 : 1,
    });
  } else {
    if ((FIXED_KINDS as readonly string[]).includes(kind) && input.active === false)
      throw new AppError(
        409,
        'fixed_vocabulary',
        `The codes of ${kind} are fixed by the product and cannot be switched off`,
      );
    await catalogueRepo.updateVocab(db, kind, code, {
      label_zh: input.labelZh,
      label_en: input.labelEn,
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(input.active !== undefined ? { active: input.active ? 1 : 0 } : {}),
    });
  }
  const v = (await catalogueRepo.vocabEntry(db, kind, code))!;
  return { kind, code, labelZh: v.label_zh, labelEn: v.label_en, position: v.position, active: v.active === 1 };
}
