package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.operator.Actor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The emergency stop and its release. */
final class HaltCommands {
    private HaltCommands() {
    }

    @Command(name = "halt", mixinStandardHelpOptions = true, description = {
            "Stop all sending within seconds, here and in every other process (any operator).",
            "Running sends stop at the next message; their outboxes stay resumable. New sends are refused until `resume`."})
    static final class Halt implements Callable<Integer> {
        @ParentCommand
        Main main;
        @Option(names = "--reason", paramLabel = "TEXT")
        String reason;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(main.settings())) {
                Actor actor = OperatorLogin.actor(rt, main);
                rt.haltSwitch().halt(actor, reason);
                System.out.println("sending halted; an admin lifts it with `mailer resume`");
            }
            return 0;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Allow sending again after `halt` (admin). Interrupted sends continue with `release send ID` or `run-due`.")
    static final class Resume implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(main.settings())) {
                rt.haltSwitch().resume(OperatorLogin.actor(rt, main));
                System.out.println("sending allowed again");
            }
            return 0;
        }
    }
}
