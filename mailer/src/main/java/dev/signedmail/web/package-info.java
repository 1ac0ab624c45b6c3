/**
 * The HTTP server: one-click unsubscribe, unsubscribe and preferences pages, health; the
 * press-office pages ({@code /office}, sessions with CSRF tokens) and JSON API ({@code /api},
 * bearer tokens). Holds no signing keys: sends are queued for {@code run-due}.
 */
package dev.signedmail.web;
