export { runUserSql, MAX_USER_SQL_LENGTH, type UserSqlOptions, type UserSqlResult } from './run.ts';
export { checkUserSql, userSqlVocabulary } from './guard.ts';
