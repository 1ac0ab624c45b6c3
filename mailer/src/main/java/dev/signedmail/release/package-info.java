/** Releases: their content, validation and lifecycle state. */
package dev.signedmail.release;
