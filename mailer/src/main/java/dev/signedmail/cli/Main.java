package dev.signedmail.cli;

import dev.signedmail.Problem;
import dev.signedmail.config.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code mailer}: the command line. Exit codes: 0 ok, 1 failure, 2 usage error. A {@link Problem}
 * is printed as one line (or a list) without a stack trace; anything else is a bug and keeps its
 * trace.
 */
@Command(name = "mailer", mixinStandardHelpOptions = true, version = "signedmail 0.1.0",
        description = "Signed subscriber-notification mailer: every message S/MIME- and DKIM-signed.",
        subcommands = {InitCommand.class, SubscribersCommand.class, ReleaseCommand.class, OperatorsCommand.class,
                AuditCommand.class, HaltCommands.Halt.class, HaltCommands.Resume.class, RunDueCommand.class, WorkerCommand.class,
                FeedbackCommand.class, VerifyCommand.class, KeysCommand.class, ReportCommand.class, ServeCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Config file (default: $MAILER_CONFIG, else defaults + MAILER_* environment).")
    Path config;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "File holding your API token (default: $MAILER_TOKEN); commands that act on releases need one.")
    Path tokenFile;

    Settings settings() {
        return Settings.load(config, System.getenv());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        dev.signedmail.JvmSetup.apply(); // native crypto provider first when it loads (verify too)
        CommandLine cmd = new CommandLine(new Main());
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof Problem) {
                err.println("error: " + ex.getMessage());
            } else {
                err.println("error: unexpected failure (a bug; please report it with this trace):");
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cmd.execute(args);
    }
}
