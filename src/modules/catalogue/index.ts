export { catalogueRoutes } from './routes.ts';
export {
  getResource,
  getResourceRow,
  listResources,
  createResource,
  updateResource,
  submitResource,
  reviewResource,
  requestWithdrawal,
  setDataFlags,
  updateFieldsFromData,
  presentResource,
  resourceRef,
  type Resource,
  type ResourceInput,
  type Field,
} from './resources.ts';
export { createDepartmentUnchecked, getDepartment, listDepartments, type Department } from './departments.ts';
export { seedVocabularies, listVocabulary } from './vocabularies.ts';
export { catalogueRepo, visibleTo } from './repository.ts';
export { normaliseName } from './validation.ts';
