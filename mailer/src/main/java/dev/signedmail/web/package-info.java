/**
 * The HTTP server: one-click unsubscribe, unsubscribe and preferences pages, health. Holds no
 * signing keys.
 */
package dev.signedmail.web;
