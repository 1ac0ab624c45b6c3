package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.feedback.FeedbackReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Reports.",
        subcommands = {ReportCommand.Feedback.class})
final class ReportCommand {
    @ParentCommand
    Main main;

    @Command(name = "feedback", mixinStandardHelpOptions = true,
            description = "Bounces and complaints by kind and reason, problems on our side, suppressed addresses.")
    static final class Feedback implements Callable<Integer> {
        @ParentCommand
        ReportCommand parent;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                new FeedbackReport(rt.db()).print(System.out);
            }
            return 0;
        }
    }
}
