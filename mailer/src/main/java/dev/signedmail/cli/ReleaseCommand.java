package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.release.Release;
import dev.signedmail.send.MessageComposer;
import dev.signedmail.send.SendSummary;
import dev.signedmail.subscriber.EmailAddresses;
import dev.signedmail.subscriber.Subscriber;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "release", mixinStandardHelpOptions = true, description = "Create, inspect, preview and send releases.",
        subcommands = {ReleaseCommand.Create.class, ReleaseCommand.Show.class, ReleaseCommand.Preview.class,
                ReleaseCommand.Send.class})
final class ReleaseCommand {
    @ParentCommand
    Main main;

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a draft release; prints its id.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        ReleaseCommand parent;
        @Option(names = "--title", required = true, paramLabel = "T")
        String title;
        @Option(names = "--body", required = true, paramLabel = "FILE.md", description = "The body in Markdown (UTF-8).")
        Path body;
        @Option(names = "--summary", paramLabel = "S")
        String summary;
        @Option(names = "--link", paramLabel = "URL", description = "The full release on the website.")
        String link;
        @Option(names = "--topic", paramLabel = "T", description = "Subscriber topic (default general).")
        String topic;

        @Override
        public Integer call() {
            String markdown;
            try {
                markdown = Files.readString(body, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new Problem("--body: file not found: " + body);
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new Problem("--body: cannot read " + body + " as UTF-8 text: " + e.getMessage());
            }
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                System.out.println(rt.releases().create(title, summary, markdown, link, topic));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a release and its delivery state.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        ReleaseCommand parent;
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Release r = rt.releases().get(id);
                System.out.println("id:      " + r.id());
                System.out.println("status:  " + r.status());
                System.out.println("title:   " + r.title());
                System.out.println("summary: " + r.summary());
                System.out.println("topic:   " + r.topic());
                System.out.println("link:    " + (r.link() == null ? "" : r.link()));
                System.out.println("created: " + r.createdAt());
                Map<String, Integer> counts = rt.outbox().counts(id);
                System.out.println("outbox:  " + (counts.isEmpty() ? "(not sent yet)" : counts));
                System.out.println();
                System.out.println(r.bodyMarkdown());
            }
            return 0;
        }
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = "Write the exact signed message for one recipient to stdout.")
    static final class Preview implements Callable<Integer> {
        @ParentCommand
        ReleaseCommand parent;
        @Parameters(paramLabel = "ID")
        long id;
        @Option(names = "--to", paramLabel = "EMAIL",
                description = "Recipient: a subscriber's address (their name and links), or any address.")
        String to;

        @Override
        public Integer call() throws IOException {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Release r = rt.releases().get(id);
                MessageComposer.Recipient recipient;
                if (to == null) {
                    recipient = new MessageComposer.Recipient(0, "subscriber@example.org", "Example Subscriber");
                } else {
                    String address;
                    try {
                        address = EmailAddresses.normalise(to);
                    } catch (EmailAddresses.Invalid e) {
                        throw new Problem("--to '" + to + "' is not a valid address: " + e.getMessage());
                    }
                    Subscriber s = rt.subscribers().find(address).orElse(null);
                    recipient = s == null ? new MessageComposer.Recipient(0, address, null)
                            : new MessageComposer.Recipient(s.id(), s.email(), s.name());
                }
                byte[] message = rt.composer().compose(r, recipient, Instant.now());
                System.out.write(message);
                System.out.flush();
            }
            return 0;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = {"Send a release to its audience. Safe to rerun after Ctrl-C, a crash or a relay outage:",
                    "only messages the relay has not acknowledged are sent."})
    static final class Send implements Callable<Integer> {
        @ParentCommand
        ReleaseCommand parent;
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                AtomicBoolean stop = new AtomicBoolean();
                CountDownLatch reported = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    // Ctrl-C: let the messages in flight finish and be recorded, print the summary, exit
                    stop.set(true);
                    try {
                        reported.await(15, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
                Runtime.getRuntime().addShutdownHook(hook);
                SendSummary s;
                try (ProgressListener progress = new ProgressListener("release " + id)) {
                    s = rt.sender().send(id, progress, stop::get);
                    System.out.println(s.describe());
                } finally {
                    reported.countDown();
                }
                return s.left() > 0 || s.failed() > 0 ? 1 : 0;
            }
        }
    }
}
