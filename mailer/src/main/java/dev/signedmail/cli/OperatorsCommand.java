package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.operator.Actor;
import dev.signedmail.operator.Operator;
import dev.signedmail.operator.OperatorStore;
import dev.signedmail.operator.Role;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "operators", mixinStandardHelpOptions = true,
        description = "Manage operators (editor, approver, admin) and their API tokens and passwords.",
        subcommands = {OperatorsCommand.Add.class, OperatorsCommand.ListCmd.class, OperatorsCommand.Password.class,
                OperatorsCommand.Token.class, OperatorsCommand.Disable.class})
final class OperatorsCommand {
    @ParentCommand
    Main main;

    /** The operator running the command, refused unless an admin. */
    private static Actor admin(MailerRuntime rt, Main main, String action) {
        Actor a = OperatorLogin.actor(rt, main);
        a.operator().require(action, Role.ADMIN);
        return a;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {
            "Create an operator and print its API token once, alone on the last line.",
            "Needs an admin's token, except while there is no admin yet (the first admin)."})
    static final class Add implements Callable<Integer> {
        @ParentCommand
        OperatorsCommand parent;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "editor, approver or admin")
        String role;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Role r = Role.parse(role);
                Actor actor;
                String detail;
                if (rt.operators().anyAdmin()) {
                    actor = admin(rt, parent.main, "operators add");
                    detail = null;
                } else {
                    actor = Actor.system("(bootstrap)", "cli", Actor.localAddress());
                    detail = "created without a token: there was no admin yet";
                }
                OperatorStore.Created c = rt.operators().add(name, r);
                rt.audit().record(actor, "operator-add", null, null,
                        c.operator().name() + " as " + r.label() + (detail == null ? "" : "; " + detail));
                System.out.println("operator " + c.operator().name() + " (" + r.label() + ") created. Its API token is"
                        + " shown only now; store it in a file only its owner can read (chmod 600) and use"
                        + " --token-file FILE or MAILER_TOKEN:");
                System.out.println(c.token());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List operators (admin).")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        OperatorsCommand parent;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                if (rt.operators().anyAdmin()) {
                    admin(rt, parent.main, "operators list");
                }
                for (Operator o : rt.operators().list()) {
                    System.out.printf("%-20s %-9s %s%s  since %s%n", o.name(), o.role().label(),
                            o.hasPassword() ? "password set" : "no password", o.disabled() ? "  DISABLED" : "", o.createdAt());
                }
            }
            return 0;
        }
    }

    @Command(name = "password", mixinStandardHelpOptions = true, description = {
            "Set an operator's password for the web UI (your own, or any as admin).",
            "Read from the console (asked twice), or the first line of stdin; never from an argument."})
    static final class Password implements Callable<Integer> {
        @ParentCommand
        OperatorsCommand parent;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws IOException {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Actor actor = OperatorLogin.actor(rt, parent.main);
                Operator target = rt.operators().get(name);
                if (target.id() != actor.operator().id()) {
                    actor.operator().require("setting another operator's password", Role.ADMIN);
                }
                char[] pw = readPassword();
                try {
                    rt.operators().setPassword(target, pw);
                } finally {
                    Arrays.fill(pw, '\0');
                }
                rt.audit().record(actor, "operator-password", null, null, target.name());
                System.out.println("password set for " + target.name());
            }
            return 0;
        }

        private static char[] readPassword() throws IOException {
            Console console = System.console();
            if (console != null) {
                char[] a = console.readPassword("new password: ");
                char[] b = console.readPassword("again: ");
                if (a == null || b == null || !Arrays.equals(a, b)) {
                    throw new Problem("the two passwords differ; nothing changed");
                }
                Arrays.fill(b, '\0');
                return a;
            }
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new Problem("no password on stdin: pipe it in, e.g. from a password manager, or run on a terminal");
            }
            return line.toCharArray();
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Replace an operator's API token (your own, or any as admin); prints the new one on the last line.")
    static final class Token implements Callable<Integer> {
        @ParentCommand
        OperatorsCommand parent;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Actor actor = OperatorLogin.actor(rt, parent.main);
                Operator target = rt.operators().get(name);
                if (target.id() != actor.operator().id()) {
                    actor.operator().require("replacing another operator's token", Role.ADMIN);
                }
                String token = rt.operators().newToken(target);
                rt.audit().record(actor, "operator-token", null, null, target.name());
                System.out.println("new API token for " + target.name() + " (the old one no longer works):");
                System.out.println(token);
            }
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an operator at once, e.g. when a login may be stolen (admin).")
    static final class Disable implements Callable<Integer> {
        @ParentCommand
        OperatorsCommand parent;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (MailerRuntime rt = MailerRuntime.open(parent.main.settings())) {
                Actor actor = admin(rt, parent.main, "operators disable");
                Operator target = rt.operators().get(name);
                rt.operators().disable(target);
                rt.audit().record(actor, "operator-disable", null, null, target.name());
                System.out.println("operator " + target.name() + " is disabled");
            }
            return 0;
        }
    }
}
