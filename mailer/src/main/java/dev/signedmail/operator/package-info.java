/**
 * Operators: who may act, in which role, and how they prove it. API tokens are random and stored
 * only as SHA-256; passwords (for the web UI) only as Argon2id; repeated failures lock out.
 */
package dev.signedmail.operator;
