import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en } from './en.ts';
import { zh, type MessageKey } from './zh.ts';

export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'citydata.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  /** Looks a message up and fills {placeholders}. */
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /**
   * For keys built at run time (status.<code>, loadError.<code>): fills {placeholders}; the given text when the key has
   * no words, or its words need a value `vars` lacks (a report stored before that detail existed).
   */
  tx(key: string, fallback: string, vars?: Record<string, string | number>): string;
}

const I18nContext = createContext<I18n | null>(null);

function fill(s: string, vars: Record<string, string | number> | undefined): string {
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => fill(dictionaries[lang][key] ?? key, vars),
      tx: (key, fallback, vars) => {
        const s = (dictionaries[lang] as Record<string, string>)[key];
        const text = s === undefined ? fallback : fill(s, vars);
        return /\{[a-z]+\}/i.test(text) ? fallback : text;
      },
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

export type { MessageKey };
