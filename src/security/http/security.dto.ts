import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Operation, PatternType, ResourceType } from '../domain/acl.js';

/** A principal's name: letters, digits and `._@-`, as names elsewhere. */
const PRINCIPAL = /^[a-zA-Z0-9._@-]{1,249}$/;

export class CreateApiKeyDto {
  @IsString() @Matches(PRINCIPAL) principal!: string;
  @IsOptional() @IsString() @MaxLength(1_000) description?: string;
}

export class CreateAclDto {
  @IsString() @Matches(PRINCIPAL) principal!: string;
  @IsIn(Object.values(ResourceType)) resourceType!: ResourceType;
  @IsOptional() @IsIn(Object.values(PatternType)) patternType?: PatternType;
  @IsString() @MinLength(1) @MaxLength(249) resourceName!: string;
  @IsIn(Object.values(Operation)) operation!: Operation;
}
