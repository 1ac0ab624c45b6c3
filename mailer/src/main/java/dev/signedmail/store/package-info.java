/**
 * Database setup: connection pool, versioned migrations, Jdbi, named SQL in {@code queries/}.
 * H2 by default (opened so committed rows survive {@code kill -9}); PostgreSQL by URL.
 */
package dev.signedmail.store;
