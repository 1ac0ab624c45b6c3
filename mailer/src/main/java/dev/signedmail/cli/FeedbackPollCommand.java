package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.feedback.MailboxPoller;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "poll", mixinStandardHelpOptions = true,
        description = {"Read the bounce mailbox (IMAP, IMAPS, POP3, POP3S) once: apply bounces and complaints,",
                "honour mailto: unsubscribe requests, keep anything else aside. Safe to run from cron and to overlap."})
final class FeedbackPollCommand implements Callable<Integer> {
    @ParentCommand
    FeedbackCommand parent;

    @Override
    public Integer call() {
        try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
            MailboxPoller.Summary s = rt.poller().poll();
            System.out.println(s.describe());
            return s.errors() > 0 ? 1 : 0;
        }
    }
}
