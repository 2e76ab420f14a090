// A finished answer (status, headers, serialized body) before it is written to the socket.
import { errorJson, type Json } from './representations.js';
import type { ApiVersion } from './types.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** Exact bytes to send; empty for 204 and empty 200s. */
  body: string;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function jsonAnswer(status: number, value: Json, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body: JSON.stringify(value) };
}

export function rawJsonAnswer(status: number, body: string): Answer {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body };
}

export function emptyAnswer(status: number): Answer {
  return { status, headers: {}, body: '' };
}

export function errorAnswer(
  status: number,
  version: ApiVersion | undefined,
  message: string,
  errorCode?: string,
): Answer {
  return jsonAnswer(status, errorJson(version, message, errorCode));
}

export function unauthorizedAnswer(version: ApiVersion | undefined): Answer {
  const answer = errorAnswer(401, version, 'Unauthorized');
  answer.headers['www-authenticate'] = 'Bearer';
  return answer;
}

export function notFoundAnswer(version?: ApiVersion, message = 'The requested resource was not found.'): Answer {
  return errorAnswer(404, version, message, 'ResourceNotFound');
}
