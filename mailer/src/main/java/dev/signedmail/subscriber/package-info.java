/**
 * Subscribers: address checks, CSV import (all or nothing), topics, and the unguessable
 * per-subscriber tokens behind unsubscribe links.
 */
package dev.signedmail.subscriber;
