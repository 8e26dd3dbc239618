import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ValidationOptions } from 'class-validator';
import { ErrorCode } from '@shoal/protocol';
import { ShoalError } from '../../platform/errors/index.js';

/** Validation options that make a failing field answer with `code`. */
export function withCode(code: ErrorCode, options: ValidationOptions = {}): ValidationOptions {
  return { ...options, context: { code } };
}

const CLASS_CODE = Symbol('errorCode');

/** Every failure inside this (nested) DTO class answers with `code`, unknown fields included. */
export function ErrorCodeFor(code: ErrorCode): ClassDecorator {
  return (target) => {
    (target as unknown as Record<symbol, ErrorCode>)[CLASS_CODE] = code;
  };
}

function classCode(target: object | undefined): ErrorCode | undefined {
  return (target?.constructor as unknown as Record<symbol, ErrorCode> | undefined)?.[CLASS_CODE];
}

/** When several fields fail, the most specific code wins, names first (checked before any lookup). */
const PRIORITY = [
  ErrorCode.InvalidName,
  ErrorCode.InvalidPartitions,
  ErrorCode.InvalidConfig,
  ErrorCode.InvalidRequest,
];

interface Problem {
  code: ErrorCode;
  message: string;
}

function problems(errors: ValidationError[], inherited: ErrorCode | undefined, path: string): Problem[] {
  return errors.flatMap((error) => {
    const contexts = Object.values(error.contexts ?? {}) as { code?: ErrorCode }[];
    const code = contexts.find((c) => c.code)?.code ?? classCode(error.target) ?? inherited;
    const field = path ? `${path}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      code: code ?? ErrorCode.InvalidRequest,
      message: message.replace(error.property, field),
    }));
    return [...own, ...problems(error.children ?? [], code, field)];
  });
}

/**
 * Path parameters are left as the text they are: their own pipes check them (a partition is
 * decimal digits only, which converting "0x1" or "1e2" to a number first would hide).
 */
class BodyAndQueryValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return metadata.type === 'param' ? Promise.resolve(value) : super.transform(value, metadata);
  }
}

/** The global pipe: whitelist, forbid unknown fields, transform; failures carry our codes. */
export function shoalValidationPipe(): ValidationPipe {
  return new BodyAndQueryValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => {
      const found = problems(errors, undefined, '');
      found.sort((a, b) => PRIORITY.indexOf(a.code) - PRIORITY.indexOf(b.code));
      const first = found[0] ?? { code: ErrorCode.InvalidRequest, message: 'invalid request' };
      return new ShoalError(
        first.code,
        found
          .filter((p) => p.code === first.code)
          .map((p) => p.message)
          .join('; '),
      );
    },
  });
}
