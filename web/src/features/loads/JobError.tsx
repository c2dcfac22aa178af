import { Alert } from 'antd';
import type { Job } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

type JobError = NonNullable<Job['error']>;

/**
 * A failed job's error in the user's language, from its code and the details the server gives with it (row, line,
 * byte offset, ...); the server's own (English) text when the code has no words or a detail the words need is absent.
 */
export function useJobErrorText(): (error: JobError) => string {
  const { tx } = useI18n();
  return (error) => {
    const vars: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(error)) if (typeof v === 'string' || typeof v === 'number') vars[k] = v;
    return tx(`loadError.${error.code}`, error.message, vars);
  };
}

/** The error of a failed load, worded for the user, with the server's text beside it. */
export function JobErrorAlert({ error }: { error: JobError }) {
  const { t } = useI18n();
  const text = useJobErrorText()(error);
  return (
    <Alert
      type="error"
      showIcon
      data-testid="job-error"
      title={text}
      description={text !== error.message ? `${t('loadError.detail')}: ${error.message}` : undefined}
    />
  );
}
