import { InboxOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Input, Progress, Select, Space, Upload } from 'antd';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, api, getOptional } from '../../api/client.ts';
import type { Job, LoadReport } from '../../api/types.ts';
import { JobErrorAlert, useJobErrorText } from '../../features/loads/JobError.tsx';
import { LoadReportView } from '../../features/loads/LoadReportView.tsx';
import { useI18n } from '../../i18n/index.tsx';

const DONE = new Set(['succeeded', 'failed', 'cancelled']);

function percent(j: Job): number {
  if (j.state === 'succeeded') return 100;
  // The server's share of the whole load done (it never goes back, unlike the bytes of each phase).
  const fraction = typeof j.progress?.fraction === 'number' ? j.progress.fraction : 0;
  return Math.min(99, Math.round(fraction * 100));
}

interface LabeledProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  width: number;
}

/** A control with its label before it, kept together when the row of options wraps. */
function Labeled({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <Space size={6}>
      <label htmlFor={id}>{label}</label>
      {children}
    </Space>
  );
}

function LabeledSelect({ options, ...p }: LabeledProps & { options: { value: string; label: string }[] }) {
  return (
    <Labeled id={p.id} label={p.label}>
      <Select
        id={p.id}
        aria-label={p.label}
        value={p.value}
        onChange={p.onChange}
        style={{ width: p.width }}
        options={options}
      />
    </Labeled>
  );
}

function LabeledInput({ placeholder, ...p }: LabeledProps & { placeholder: string }) {
  return (
    <Labeled id={p.id} label={p.label}>
      <Input
        id={p.id}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        placeholder={placeholder}
        style={{ width: p.width }}
      />
    </Labeled>
  );
}

/**
 * Upload to POST /resources/:id/loads, then follow the job: server-sent events when available, polling otherwise.
 */
export function DataUpload({ resourceId }: { resourceId: string }) {
  const { t, tx } = useI18n();
  const jobErrorText = useJobErrorText();
  const qc = useQueryClient();
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [encoding, setEncoding] = useState<string>('auto');
  const [mode, setMode] = useState<string>('replace');
  const [key, setKey] = useState('');
  const [sheet, setSheet] = useState('');
  const [headerRows, setHeaderRows] = useState<string>('auto');
  const [policy, setPolicy] = useState<string>('widen');
  const stop = useRef<() => void>(() => undefined);
  useEffect(() => () => stop.current(), []);

  const follow = (jobId: string) => {
    const finish = (j: Job) => {
      setJob(j);
      if (DONE.has(j.state)) {
        stop.current();
        void qc.invalidateQueries({ queryKey: ['versions', resourceId] });
        void qc.invalidateQueries({ queryKey: ['rows', resourceId] });
        void qc.invalidateQueries({ queryKey: ['resource', resourceId] });
        void qc.invalidateQueries({ queryKey: ['quality', resourceId] });
      }
    };
    const poll = () => {
      const timer = window.setInterval(() => {
        getOptional<Job | { job: Job }>(`/api/v1/jobs/${jobId}`)
          .then((j) => {
            if (j) finish('job' in j ? j.job : j);
          })
          .catch(() => undefined);
      }, 1000);
      stop.current = () => window.clearInterval(timer);
    };
    if (typeof EventSource === 'undefined') return poll();
    const es = new EventSource(`/api/v1/jobs/${jobId}/events`);
    stop.current = () => es.close();
    const onEvent = (ev: MessageEvent<string>) => {
      try {
        finish(JSON.parse(ev.data) as Job);
      } catch {
        // Not a job snapshot: nothing to show.
      }
    };
    // The server names its events: progress (snapshots) and end (the final state).
    es.addEventListener('progress', onEvent);
    es.addEventListener('end', (ev) => {
      onEvent(ev);
      es.close();
    });
    es.onerror = () => {
      es.close();
      poll();
    };
  };

  return (
    <div>
      {unavailable && <Alert type="info" title={t('console.uploadSoon')} style={{ marginBottom: 12 }} />}
      {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} role="alert" />}
      <Space wrap style={{ marginBottom: 12 }}>
        <LabeledSelect
          id="cd-upload-encoding"
          label={t('upload.encoding')}
          value={encoding}
          onChange={setEncoding}
          width={170}
          options={[
            { value: 'auto', label: t('upload.encodingAuto') },
            { value: 'utf-8', label: 'UTF-8' },
            { value: 'gb18030', label: 'GB18030 / GBK' },
          ]}
        />
        <LabeledSelect
          id="cd-upload-mode"
          label={t('upload.mode')}
          value={mode}
          onChange={setMode}
          width={150}
          options={[
            { value: 'replace', label: t('upload.replace') },
            { value: 'append', label: t('upload.append') },
            { value: 'upsert', label: t('upload.upsert') },
          ]}
        />
        {mode === 'upsert' && (
          <LabeledInput
            id="cd-upload-key"
            label={t('upload.key')}
            value={key}
            onChange={setKey}
            placeholder={t('upload.keyHint')}
            width={200}
          />
        )}
        <LabeledSelect
          id="cd-upload-header-rows"
          label={t('upload.headerRows')}
          value={headerRows}
          onChange={setHeaderRows}
          width={110}
          options={[
            { value: 'auto', label: t('upload.headerRowsAuto') },
            ...['1', '2', '3'].map((n) => ({ value: n, label: n })),
          ]}
        />
        <LabeledInput
          id="cd-upload-sheet"
          label={t('upload.sheet')}
          value={sheet}
          onChange={setSheet}
          placeholder={t('upload.sheetHint')}
          width={170}
        />
        <LabeledSelect
          id="cd-upload-policy"
          label={t('upload.policy')}
          value={policy}
          onChange={setPolicy}
          width={190}
          options={[
            { value: 'widen', label: t('upload.policyWiden') },
            { value: 'reject_row', label: t('upload.policyReject') },
          ]}
        />
      </Space>
      <Upload.Dragger
        name="file"
        multiple={false}
        showUploadList={false}
        accept=".csv,.tsv,.txt,.xlsx,.xls,.json,.geojson,.ndjson"
        customRequest={({ file, onSuccess, onError }) => {
          setError(null);
          const body = new FormData();
          // Options go before the file: the server reads fields until it meets the file part.
          if (encoding !== 'auto') body.append('encoding', encoding);
          body.append('mode', mode);
          if (mode === 'upsert' && key.trim()) body.append('key', key.trim());
          if (headerRows !== 'auto') body.append('headerRows', headerRows);
          if (sheet.trim()) body.append('sheet', sheet.trim());
          if (policy !== 'widen') body.append('policy', policy);
          body.append('file', file as Blob);
          api<{ job: Job }>('POST', `/api/v1/resources/${resourceId}/loads`, body)
            .then((res) => {
              setJob(res.job);
              follow(res.job.id);
              onSuccess?.(res);
            })
            .catch((e: unknown) => {
              if (e instanceof ApiError && e.status === 404) setUnavailable(true);
              else if (e instanceof ApiError)
                setError(jobErrorText({ code: e.code, message: e.message, field: e.field }));
              else setError(e instanceof Error ? e.message : String(e));
              onError?.(e instanceof Error ? e : new Error(String(e)));
            });
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p>{t('console.upload')}</p>
        <p style={{ color: '#595959' }}>{t('console.uploadHint')}</p>
      </Upload.Dragger>
      {job && (
        <div style={{ marginTop: 12 }} aria-live="polite">
          {t('console.progress')}: {tx(`job.${job.state}`, job.state)}
          {job.progress?.phase ? ` · ${tx(`job.phase.${job.progress.phase}`, job.progress.phase)}` : ''}
          {job.progress?.rowsRead ? ` · ${job.progress.rowsRead.toLocaleString()} ${t('console.rows')}` : ''}
          {job.state === 'running' && typeof job.etaSeconds === 'number'
            ? ` · ${t('console.eta', { s: job.etaSeconds })}`
            : ''}
          <Progress
            aria-label={t('console.progress')}
            percent={percent(job)}
            status={
              job.state === 'failed' || job.state === 'cancelled'
                ? 'exception'
                : job.state === 'succeeded'
                  ? 'success'
                  : 'active'
            }
          />
          {job.error && <JobErrorAlert error={job.error} />}
        </div>
      )}
      {job?.state === 'succeeded' && (
        <div style={{ marginTop: 16 }}>
          <LoadReportView jobId={job.id} quality={(job.result as LoadReport | null | undefined)?.quality} />
        </div>
      )}
    </div>
  );
}
