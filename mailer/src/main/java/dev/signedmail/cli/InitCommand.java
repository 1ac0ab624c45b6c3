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
        return 0;
    }
}
