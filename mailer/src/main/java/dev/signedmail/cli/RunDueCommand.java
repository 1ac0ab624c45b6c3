package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.cron.RunDue;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "run-due", mixinStandardHelpOptions = true, description = {
        "Send every approved release whose scheduled time has come (for cron or a systemd timer, every minute).",
        "Overlapping runs are safe: one works, the others exit 0 with a note. Needs no token: it sends only",
        "what two operators approved, and holds for a human what is more than schedule.max.late.minutes late."})
final class RunDueCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        try (MailerRuntime rt = MailerRuntime.open(main.settings())) {
            return RunDue.run(rt, System.out);
        }
    }
}
