package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.approval.ReleaseState;
import dev.signedmail.approval.Workflow;
import dev.signedmail.cron.RunDue;
import dev.signedmail.guard.Guardrails;
import dev.signedmail.operator.Actor;
import dev.signedmail.release.Release;
import dev.signedmail.release.ReleaseStore;
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

@Command(name = "release", mixinStandardHelpOptions = true, description = {
        "Write, approve, send and retract releases. Two people: an editor writes and submits, another",
        "operator approves; an edit after approval voids it. Acting commands need --token-file or MAILER_TOKEN."},
        subcommands = {ReleaseCommand.Create.class, ReleaseCommand.Edit.class, ReleaseCommand.Show.class,
                ReleaseCommand.Preview.class, ReleaseCommand.Submit.class, ReleaseCommand.Approve.class,
                ReleaseCommand.Reject.class, ReleaseCommand.Schedule.class, ReleaseCommand.Confirm.class,
                ReleaseCommand.Send.class, ReleaseCommand.Retract.class})
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
        @Option(names = "--shared-body", description = {"Urgent broadcast: one signed body for everyone (no name,"
                + " generic preferences link; each message still has its own one-click unsubscribe header).",
                "Signs once per release instead of once per subscriber."})
        boolean sharedBody;

        @Override
        public Integer call() {
            String markdown = readBody(body);
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Actor actor = OperatorLogin.actor(rt, parent.main);
                System.out.println(rt.workflow().create(actor,
                        ReleaseStore.validate(title, summary, markdown, link, topic).withSharedBody(sharedBody)));
            }
            return 0;
        }
    }

    static String readBody(Path body) {
        try {
            return Files.readString(body, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Problem("--body: file not found: " + body);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new Problem("--body: cannot read " + body + " as UTF-8 text: " + e.getMessage());
        }
    }

    @Command(name = "edit", mixinStandardHelpOptions = true,
            description = "Change a release's content (editor/admin). Voids any approval: it is a draft again.")
    static final class Edit implements Callable<Integer> {
        @ParentCommand
        ReleaseCommand parent;
        @Parameters(paramLabel = "ID")
        long id;
        @Option(names = "--title", paramLabel = "T")
        String title;
        @Option(names = "--body", paramLabel = "FILE.md")
        Path body;
        @Option(names = "--summary", paramLabel = "S")
        String summary;
        @Option(names = "--link", paramLabel = "URL", description = "The full release on the website; empty to remove.")
        String link;
        @Option(names = "--topic", paramLabel = "T")
        String topic;
        @Option(names = "--shared-body", arity = "1", paramLabel = "true|false",
                description = "Switch shared-body mode on or off (see `release create --help`).")
        Boolean sharedBody;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Actor actor = OperatorLogin.actor(rt, parent.main);
                Release r = rt.releases().get(id);
                ReleaseStore.Content c = ReleaseStore.validate(title != null ? title : r.title(),
                        summary != null ? summary : r.summary(), body != null ? readBody(body) : r.bodyMarkdown(),
                        link != null ? link : r.link(), topic != null ? topic : r.topic())
                        .withSharedBody(sharedBody != null ? sharedBody : r.sharedBody());
                rt.workflow().edit(actor, id, c);
                System.out.println("release " + id + " changed; it is a draft again: `release submit " + id
                        + "`, then a second operator approves");
            }
            return 0;
        }
    }

    /** A workflow step on one release, acting as the operator whose token was given; prints what it did. */
    abstract static class Step implements Callable<Integer> {
        @ParentCommand
        ReleaseCommand parent;
        @Parameters(paramLabel = "ID")
        long id;

        abstract String act(MailerRuntime rt, Actor actor);

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                System.out.println(act(rt, OperatorLogin.actor(rt, parent.main)));
            }
            return 0;
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Ask for approval of a draft (editor/admin).")
    static final class Submit extends Step {
        @Override
        String act(MailerRuntime rt, Actor actor) {
            rt.workflow().submit(actor, id);
            return "release " + id + " submitted; another operator (approver or admin) runs `release approve " + id + "`";
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = {
            "Approve a submitted release (approver/admin who neither wrote nor edited it).",
            "The approval covers the exact content and templates (SHA-256); any later edit voids it."})
    static final class Approve extends Step {
        @Override
        String act(MailerRuntime rt, Actor actor) {
            rt.workflow().approve(actor, id);
            return "release " + id + " approved (content " + rt.workflow().state(id).approvedHash().substring(0, 12)
                    + "); send it with `release send " + id + "` or `release schedule " + id + " --at TIME`";
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Send a release back to draft (approver/admin).")
    static final class Reject extends Step {
        @Option(names = "--reason", paramLabel = "TEXT")
        String reason;

        @Override
        String act(MailerRuntime rt, Actor actor) {
            rt.workflow().reject(actor, id, reason);
            return "release " + id + " rejected; it is a draft again";
        }
    }

    @Command(name = "schedule", mixinStandardHelpOptions = true,
            description = "Send an approved release at a time, via `run-due` (cron).")
    static final class Schedule extends Step {
        @Option(names = "--at", required = true, paramLabel = "TIME",
                description = "e.g. 2026-07-01T08:00 (in send.zone) or 2026-07-01T08:00+01:00")
        String at;

        @Override
        String act(MailerRuntime rt, Actor actor) {
            Instant when = RunDue.parseTime(at, Guardrails.zone(rt.settings()));
            rt.workflow().schedule(actor, id, when);
            return "release " + id + " scheduled for " + when + "; `run-due` (cron) sends it then";
        }
    }

    @Command(name = "confirm", mixinStandardHelpOptions = true,
            description = "Let a release held by the guardrails go (admin other than its author); then send it.")
    static final class Confirm extends Step {
        @Override
        String act(MailerRuntime rt, Actor actor) {
            rt.workflow().confirm(actor, id);
            return "release " + id + " confirmed; send it with `release send " + id + "`";
        }
    }

    @Command(name = "retract", mixinStandardHelpOptions = true, description = {
            "Withdraw a release (editor/admin). If nobody has it yet it is simply stopped. Otherwise a signed notice",
            "\"The message of DATE titled … was withdrawn because …\" is prepared for everyone who received it;",
            "like any release it needs a second operator's `release approve`, then `release send`."})
    static final class Retract extends Step {
        @Option(names = "--reason", required = true, paramLabel = "TEXT")
        String reason;

        @Override
        String act(MailerRuntime rt, Actor actor) {
            Workflow.Retraction r = rt.workflow().retract(actor, id, reason);
            if (r.noticeId() == null) {
                return "release " + id + " retracted; nobody had received it";
            }
            // the notice id alone on the last line, like `release create`, for scripts
            return "release " + id + " retracted; notice " + r.noticeId() + " to " + r.recipients()
                    + " recipient(s) awaits approval by a second operator: `release approve " + r.noticeId()
                    + "`, then `release send " + r.noticeId() + "`" + System.lineSeparator() + r.noticeId();
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
                if (r.sharedBody()) {
                    System.out.println("mode:    shared body (one signed body for everyone; urgent broadcast)");
                }
                System.out.println("link:    " + (r.link() == null ? "" : r.link()));
                System.out.println("created: " + r.createdAt());
                ReleaseState st = rt.workflow().state(id);
                System.out.println("author:  " + name(rt, st.authorId()));
                if (st.approvedBy() != null) {
                    System.out.println("approved: by " + name(rt, st.approvedBy()) + " at " + st.approvedAt()
                            + ", content " + st.approvedHash());
                }
                if (st.scheduledAt() != null) {
                    System.out.println("scheduled: " + st.scheduledAt());
                }
                if (st.heldReason() != null) {
                    System.out.println("held:    " + st.heldReason());
                }
                if (st.retractsId() != null) {
                    System.out.println("retracts: release " + st.retractsId());
                }
                Map<String, Integer> counts = rt.outbox().counts(id);
                System.out.println("outbox:  " + (counts.isEmpty() ? "(not sent yet)" : counts));
                System.out.println();
                System.out.println(r.bodyMarkdown());
            }
            return 0;
        }
    }

    private static String name(MailerRuntime rt, Long operatorId) {
        return operatorId == null ? "-" : rt.operators().byId(operatorId).map(o -> o.name()).orElse("#" + operatorId);
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
                Actor actor = OperatorLogin.actor(rt, parent.main);
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
                    s = rt.sender(actor).send(id, progress, stop::get);
                    System.out.println(s.describe());
                } finally {
                    reported.countDown();
                }
                return s.left() > 0 || s.failed() > 0 ? 1 : 0;
            }
        }
    }
}
