/** The transfer engine: downloads through presigned URLs, uploads through an ObjectWriter. */
export type * from './types';
export { downloadClaims, downloadObjects, readObjectBytes, sameEtag } from './download';
export { fileChangedError, uploadFiles } from './upload';
