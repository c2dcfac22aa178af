import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { ApiError, get } from './client.ts';
import type { Department, User, VocabEntry } from './types.ts';

/** The signed-in user, or null when anonymous (the API answers 401). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await get<User>('/api/v1/auth/me');
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

export function useVocabularies() {
  return useQuery({
    queryKey: ['vocabularies'],
    queryFn: () => get<VocabEntry[]>('/api/v1/vocabularies'),
    staleTime: 5 * 60_000,
  });
}

/** Entries of one vocabulary kind, in their display order. */
export function useVocab(kind: string): VocabEntry[] {
  const { data } = useVocabularies();
  return (data ?? []).filter((v) => v.kind === kind).sort((a, b) => a.position - b.position);
}

/** Label of a code in the current language; falls back to the code itself. */
export function useLabel() {
  const { data } = useVocabularies();
  const { lang } = useI18n();
  return useCallback(
    (kind: string, code: string | null | undefined): string => {
      if (code === null || code === undefined || code === '') return '';
      const e = data?.find((v) => v.kind === kind && v.code === code);
      if (!e) return code;
      return lang === 'zh' ? e.labelZh : e.labelEn;
    },
    [data, lang],
  );
}

/** Select options for a vocabulary kind (active entries only). */
export function useVocabOptions(kind: string) {
  const entries = useVocab(kind);
  const { lang } = useI18n();
  return entries.filter((e) => e.active).map((e) => ({ value: e.code, label: lang === 'zh' ? e.labelZh : e.labelEn }));
}

export function useDepartments() {
  return useQuery({
    queryKey: ['departments'],
    queryFn: () => get<Department[]>('/api/v1/departments'),
    staleTime: 60_000,
  });
}

export function useDepartmentName() {
  const { data } = useDepartments();
  const { lang } = useI18n();
  return useCallback(
    (id: string | null | undefined) => {
      const d = data?.find((x) => x.id === id);
      if (!d) return id ?? '';
      return lang === 'en' && d.nameEn ? d.nameEn : d.name;
    },
    [data, lang],
  );
}

export function isStaff(u: User | null | undefined): boolean {
  return !!u && ['platform_admin', 'dept_admin', 'steward', 'member', 'reviewer'].includes(u.role);
}
export function isAdmin(u: User | null | undefined): boolean {
  return !!u && (u.role === 'platform_admin' || u.role === 'reviewer' || u.role === 'dept_admin');
}
