/** Governance: identifier checks, masking, quality rules and rule/sensitivity detection. */
export * from './checksums.ts';
export {
  DIVISION_TABLE,
  divisionCodeValidSql,
  ensureDivisionTable,
  idCardValidSql,
  mobileValidSql,
  normaliseCodeSql,
  orgCodeValidSql,
  parseDateSql,
  usccValidSql,
} from './sql.ts';
export * from './masking.ts';
export * from './quality.ts';
export * from './detect.ts';
export { governanceRoutes } from './routes.ts';
export { startGovernance } from './start.ts';
export { notify, type NotificationInput, type Notification } from './notifications.ts';
export {
  runQualityAfterLoad,
  runQuality,
  type QualityRunSummary,
  type QualityRuleView,
  type QualityReportView,
} from './rules.ts';
export { findOverdue, notifyOverdue, type OverdueDataset } from './overdue.ts';
export { DEFAULT_DATA_ELEMENTS, seedDataElements, type DataElement } from './elements.ts';
export { governanceReport, governanceReportXlsx, REPORT_SHEETS, type GovernanceReport } from './report.ts';
