package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.subscriber.CsvImport;
import dev.signedmail.subscriber.EmailAddresses;
import dev.signedmail.subscriber.SubscriberStore;
import dev.signedmail.subscriber.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "subscribers", mixinStandardHelpOptions = true, description = "Manage subscribers.",
        subcommands = {SubscribersCommand.Import.class, SubscribersCommand.Add.class, SubscribersCommand.ListCmd.class,
                SubscribersCommand.Unsuppress.class, SubscribersCommand.Export.class, SubscribersCommand.Forget.class,
                SubscribersCommand.SendConfirmations.class})
final class SubscribersCommand {
    @ParentCommand
    Main main;

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Import subscribers from CSV (UTF-8; header email,name,topics; topics separated by ';').",
                    "All or nothing: any bad line stops the import and every bad line is listed."})
    static final class Import implements Callable<Integer> {
        @ParentCommand
        SubscribersCommand parent;
        @Parameters(paramLabel = "FILE.csv")
        Path file;
        @Option(names = "--skip-invalid", description = "Import the valid lines and list the invalid ones.")
        boolean skipInvalid;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                CsvImport.Result r = CsvImport.run(rt.db(), file, skipInvalid);
                System.out.printf("imported %s: %d added, %d already present (merged), %d duplicate line(s) merged, %d invalid skipped%n",
                        file, r.added(), r.updated(), r.mergedInFile(), r.skipped().size());
                r.skipped().forEach(s -> System.out.println("  skipped " + s));
            }
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add one subscriber (or add topics to an existing one).")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        SubscribersCommand parent;
        @Parameters(paramLabel = "EMAIL")
        String email;
        @Option(names = "--name", paramLabel = "N")
        String name;
        @Option(names = "--topic", paramLabel = "T", description = "Topic (repeatable; default general).")
        List<String> topics = new ArrayList<>();
        @Option(names = "--confirm", description = {"Double opt-in: send the person a signed confirmation e-mail;",
                "they are subscribed only when they confirm."})
        boolean confirm;

        @Override
        public Integer call() {
            String address;
            try {
                address = EmailAddresses.normalise(email);
            } catch (EmailAddresses.Invalid e) {
                throw new Problem("'" + email + "' is not a valid address: " + e.getMessage());
            }
            List<String> clean = new ArrayList<>();
            for (String t : topics) {
                String n = Topics.normalise(t);
                if (n == null) {
                    throw new Problem("--topic '" + t + "' must be lower-case letters, digits and dashes, e.g. road-closures");
                }
                clean.add(n);
            }
            if (clean.isEmpty()) {
                clean.add(Topics.DEFAULT);
            }
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                if (confirm) {
                    new dev.signedmail.subscriber.Confirmations(rt.db(), rt.tokenKeys())
                            .request(address, EmailAddresses.cleanName(name), clean, "cli");
                    var r = rt.confirmationSender().sendQueued(100);
                    System.out.println("confirmation e-mail sent to " + address + " (" + r.sent() + " sent, "
                            + r.notSent() + " not delivered); subscribed once confirmed");
                    return r.notSent() > 0 ? 1 : 0;
                }
                SubscriberStore.Change c = rt.subscribers().add(address, EmailAddresses.cleanName(name), clean);
                if (c == SubscriberStore.Change.ERASED_BEFORE) {
                    throw new Problem(address + " was erased on request; only its owner can subscribe again, through the"
                            + " subscribe form (double opt-in)");
                }
                System.out.println((c == SubscriberStore.Change.ADDED ? "added " : "updated ") + address);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List subscribers as CSV (id,email,name,status,topics).")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        SubscribersCommand parent;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                System.out.println("id,email,name,status,topics");
                rt.subscribers().forEach(s -> System.out.println(s.id() + "," + csv(s.email()) + "," + csv(s.name())
                        + "," + s.status() + "," + csv(String.join(";", s.topics()))));
            }
            return 0;
        }

        private static String csv(String v) {
            if (v == null) {
                return "";
            }
            return v.matches(".*[\",\\n].*") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
        }
    }

    /** The address argument of the per-person commands, normalised like every stored address. */
    static String address(String email) {
        try {
            return EmailAddresses.normalise(email);
        } catch (EmailAddresses.Invalid e) {
            throw new Problem("'" + email + "' is not a valid address: " + e.getMessage());
        }
    }

    /** A command about one person: the address is checked before the database is opened. */
    abstract static class PersonCommand implements Callable<Integer> {
        @ParentCommand
        SubscribersCommand parent;
        @Parameters(paramLabel = "EMAIL")
        String email;

        abstract String act(MailerRuntime rt, String address);

        @Override
        public Integer call() {
            String a = address(email);
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                System.out.println(act(rt, a));
            }
            return 0;
        }
    }

    @Command(name = "unsuppress", mixinStandardHelpOptions = true,
            description = "Lift a suppression (after bounces) so the address is mailed again.")
    static final class Unsuppress extends PersonCommand {
        @Override
        String act(MailerRuntime rt, String a) {
            if (!new dev.signedmail.subscriber.Subscriptions(rt.db()).unsuppress(a, "cli")) {
                throw new Problem(a + " is not suppressed (`report feedback` lists suppressed addresses)");
            }
            return "lifted the suppression of " + a;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Print, as JSON, everything held about one person (for a subject access request).")
    static final class Export extends PersonCommand {
        @Override
        String act(MailerRuntime rt, String a) {
            return new dev.signedmail.subscriber.PersonalData(rt.db()).export(a);
        }
    }

    @Command(name = "forget", mixinStandardHelpOptions = true,
            description = {"Erase one person's data on request. Only a hash of the address is kept, so that an old",
                    "list imported again does not bring them back."})
    static final class Forget extends PersonCommand {
        @Override
        String act(MailerRuntime rt, String a) {
            boolean held = new dev.signedmail.subscriber.PersonalData(rt.db()).forget(a);
            return held ? "erased " + a + "; only a hash of the address is kept"
                    : "no data held for " + a + "; its hash is recorded so it is never imported";
        }
    }

    @Command(name = "send-confirmations", mixinStandardHelpOptions = true,
            description = {"Send the signed e-mails queued by the public pages: confirmations (the subscribe form)",
                    "and personal links (the /preferences page). For cron: the web server holds no signing",
                    "keys, so it cannot send them itself."})
    static final class SendConfirmations implements Callable<Integer> {
        @ParentCommand
        SubscribersCommand parent;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                var r = rt.confirmationSender().sendQueued(10_000);
                System.out.println("confirmation and personal-link e-mails: " + r.sent() + " sent, " + r.notSent()
                        + " to retry, " + r.dropped() + " dropped (no longer subscribed)");
                return r.notSent() > 0 ? 1 : 0;
            }
        }
    }
}
