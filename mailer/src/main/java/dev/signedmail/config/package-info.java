/**
 * One settings object from built-in defaults, a config file and {@code MAILER_*} environment
 * variables. Secrets are read from files named by settings, never passed as values.
 */
package dev.signedmail.config;
