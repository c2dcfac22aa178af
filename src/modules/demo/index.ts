/**
 * The demo city: a fictional district (云溪区, 云州市, 广东省) with its departments, users, a catalogue
 * of 40+ information resources and deterministic data files behind them (pure data and files), and
 * its loading into a running platform through the catalogue, access and datastore services (load.ts).
 */
export type { DemoCity, DemoDepartment, DemoField, DemoResource, DemoUser, Cell, Geometry } from './types.ts';
export { buildDemoCity, resourceRowCount, DEFAULT_SEED } from './catalogue.ts';
export { DEMO_PASSWORD, BUREAU_CODE } from './departments.ts';
export { DEMO_DIVISIONS, DEMO_DIVISION_CODES, PROVINCE, CITY, DISTRICT, STREETS } from './place.ts';
export { writeResourceData, type DemoFileFormat, type WriteResourceOptions } from './writer.ts';
export { writeDemoFiles, type DemoManifest, type WriteDemoFilesOptions } from './files.ts';
export {
  loadDemoCity,
  startDemoCity,
  demoState,
  setSeedDemoApplications,
  type DemoHandle,
  type DemoLoadOptions,
  type DemoLoadResult,
  type DemoState,
  type SeedDemoApplications,
} from './load.ts';
