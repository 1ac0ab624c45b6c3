package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.config.Setting;
import dev.signedmail.feedback.MailboxPoller;
import dev.signedmail.web.WebServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the HTTP server (subscriber pages, the press-office pages at /office and the JSON API at",
                "/api; no signing keys: a send from there is queued for run-due) until stopped, and read the",
                "bounce mailbox every feedback.poll.minutes when one is configured."})
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws InterruptedException {
        MailerRuntime rt = MailerRuntime.open(main.settings());
        WebServer server = WebServer.start(rt);
        System.out.println("serving on port " + server.port() + " (Ctrl-C to stop)");
        ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "feedback-poll"));
        MailboxPoller poller = rt.poller();
        if (poller.configured()) {
            int minutes = rt.settings().integer(Setting.FEEDBACK_POLL_MINUTES, 1, 1440);
            poll.scheduleWithFixedDelay(() -> {
                try {
                    LOG.info(poller.poll().describe());
                } catch (RuntimeException e) {
                    // a mailbox outage must not stop the web side; the next run tries again
                    LOG.warn("feedback poll failed: {}", e.getMessage());
                }
            }, 0, minutes, TimeUnit.MINUTES);
            System.out.println("reading the bounce mailbox every " + minutes + " minute(s)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            poll.shutdownNow();
            server.close();
            rt.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
