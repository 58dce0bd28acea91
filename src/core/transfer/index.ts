/** The transfer engine: downloads through presigned URLs, uploads through an ObjectWriter. */
export type * from './types';
export { Claims } from './conflicts';
export { TooLargeToOpenError, downloadClaims, downloadObjects, readObjectBytes } from './download';
export { sameEtag } from './etags';
export { fileChangedError, uploadFiles } from './upload';
