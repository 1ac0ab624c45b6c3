package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.audit.AuditEntry;
import dev.signedmail.audit.AuditLog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Show and verify the hash-chained audit log.",
        subcommands = {AuditCommand.Show.class, AuditCommand.Verify.class})
final class AuditCommand {
    @ParentCommand
    Main main;

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show the newest audit rows (any operator).")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        AuditCommand parent;
        @Option(names = "--release", paramLabel = "ID", description = "Only rows about this release.")
        Long release;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50")
        int limit;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                OperatorLogin.actor(rt, parent.main);
                for (AuditEntry e : rt.audit().list(release, Math.max(1, limit))) {
                    System.out.println(e.describe());
                }
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = {
            "Check the whole chain; names the first row that was altered, removed or reordered.",
            "Exit 0 when intact, 1 otherwise."})
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        AuditCommand parent;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                OperatorLogin.actor(rt, parent.main);
                AuditLog.Verification v = rt.audit().verify();
                if (v.intact()) {
                    System.out.println("audit log intact: " + v.rows() + " row(s), chain and head match");
                    return 0;
                }
                System.err.println("error: audit log NOT intact: " + v.problem().get() + " (" + v.rows()
                        + " row(s) before it are intact)");
                return 1;
            }
        }
    }
}
