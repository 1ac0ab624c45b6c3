/**
 * Guardrails around sending: the halt switch (stops every send within about a second and blocks
 * new ones until an admin resumes), the burst breaker and the sending hours (hold a release for an
 * admin), so that one stolen login cannot mail every subscriber again and again.
 */
package dev.signedmail.guard;
