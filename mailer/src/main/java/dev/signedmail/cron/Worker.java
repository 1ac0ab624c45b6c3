package dev.signedmail.cron;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.operator.Actor;
import dev.signedmail.send.ReleaseSender;
import dev.signedmail.send.SendListener;
import dev.signedmail.send.SendSummary;
import java.io.PrintStream;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * An extra sender for releases that are already sending: start one on each machine that should
 * help with a large release (`worker`). It claims outbox rows like any sender (leases, SKIP
 * LOCKED), so any number of workers share the work, and a dead worker's rows are taken over. It
 * starts nothing new: what is sending was approved by two people and passed the send gate.
 */
public final class Worker {
    private Worker() {
    }

    /** One pass over the releases that are sending; returns how many messages it delivered. */
    public static int pass(MailerRuntime rt, PrintStream out, BooleanSupplier stop) {
        List<Long> sending = rt.db().jdbi().withHandle(h -> h.createQuery(
                "SELECT id FROM releases WHERE status = 'sending' ORDER BY id").mapTo(Long.class).list());
        Actor worker = Actor.system("worker", "worker", Actor.localAddress() + " pid " + ProcessHandle.current().pid()
                + " " + UUID.randomUUID().toString().substring(0, 8));
        ReleaseSender sender = sending.isEmpty() ? null : rt.sender(worker);
        int sent = 0;
        for (long id : sending) {
            if (stop.getAsBoolean()) {
                break;
            }
            try {
                SendSummary s = sender.send(id, SendListener.NONE, stop::getAsBoolean);
                sent += s.sent();
                out.println("worker: " + s.describe());
            } catch (Problem p) {
                out.println("worker: release " + id + " not sent: " + p.getMessage());
            }
        }
        return sent;
    }
}
