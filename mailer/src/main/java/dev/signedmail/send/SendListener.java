package dev.signedmail.send;

import dev.signedmail.outbox.Outcome;

/** Progress of a send, for a progress bar or a log; called from worker threads. */
public interface SendListener {
    void started(long toDeliver);

    void delivered(String recipient, Outcome outcome);

    void finished();

    SendListener NONE = new SendListener() {
        @Override
        public void started(long toDeliver) {
        }

        @Override
        public void delivered(String recipient, Outcome outcome) {
        }

        @Override
        public void finished() {
        }
    };
}
