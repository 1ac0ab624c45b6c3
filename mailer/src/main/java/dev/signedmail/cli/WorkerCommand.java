package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.cron.Worker;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "worker", mixinStandardHelpOptions = true, description = {
        "Help send the releases that are sending: run one on each machine that should share a large send",
        "(with a shared PostgreSQL database). Workers claim different messages; a dead worker's are taken over.",
        "Needs no token: it starts nothing, it only helps with what two operators approved."})
final class WorkerCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Option(names = "--follow", description = "Keep running and look for sending releases every --every seconds.")
    boolean follow;
    @Option(names = "--every", paramLabel = "SECONDS", defaultValue = "5")
    int every;

    @Override
    public Integer call() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM (systemctl stop, a deploy): the JVM ends when this hook returns, so wait until the
            // messages on the wire are answered and recorded and the other claimed rows are given back —
            // the other workers then take them at once, not when the lease runs out, and none goes twice.
            stop.set(true);
            try {
                stopped.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try (MailerRuntime rt = MailerRuntime.open(main.settings())) {
            do {
                Worker.pass(rt, System.out, stop::get);
                for (int i = 0; follow && i < every * 10 && !stop.get(); i++) {
                    Thread.sleep(100);
                }
            } while (follow && !stop.get());
        } finally {
            stopped.countDown();
        }
        return 0;
    }
}
