/**
 * The shape of Kafka's message schema files (clients/src/main/resources/common/message/*.json
 * in apache/kafka), as far as the codec reads them. The files under schemas/ are those files
 * with the `about` texts, comments and the generator-only keys (`entityType`, `mapKey`,
 * `ignorable`, `listeners`) left out (schemas/README.md).
 */
export interface FieldSchema {
  name: string;
  /** `int32`, `string`, `[]int32`, `[]SomeStruct`, `SomeStruct`, `records`, … */
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  /** Only `none` occurs: the field keeps the non-flexible encoding (RequestHeader's ClientId). */
  flexibleVersions?: string;
  fields?: readonly FieldSchema[];
}

export interface StructSchema {
  name: string;
  versions: string;
  fields: readonly FieldSchema[];
}

export interface MessageSchema {
  apiKey?: number;
  type: 'request' | 'response' | 'header';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: readonly FieldSchema[];
  commonStructs?: readonly StructSchema[];
}
