package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create or migrate the database, and create the unsubscribe-link keys if missing.")
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        System.out.println(MailerRuntime.init(main.settings()));
        try (MailerRuntime rt = MailerRuntime.open(main.settings())) {
            if (!rt.operators().anyAdmin()) {
                System.out.println("no admin yet: create the first one with  mailer operators add NAME --role admin");
                System.out.println("  (it prints the API token once; keep it in a file only its owner can read and pass"
                        + " --token-file FILE or set MAILER_TOKEN). Then add editors and approvers with that token.");
            }
        }
        return 0;
    }
}
