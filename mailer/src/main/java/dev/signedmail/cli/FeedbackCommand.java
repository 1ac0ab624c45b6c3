package dev.signedmail.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signedmail.feedback.BounceParser;
import dev.signedmail.feedback.Finding;
import dev.signedmail.feedback.ParsedMail;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "feedback", mixinStandardHelpOptions = true,
        description = "Read bounces, complaints (ARF) and auto-replies.",
        subcommands = {FeedbackCommand.Parse.class, FeedbackPollCommand.class})
final class FeedbackCommand {
    @picocli.CommandLine.ParentCommand
    Main main;

    @Command(name = "parse", mixinStandardHelpOptions = true,
            description = {"Parse message files and print one JSON object per (file, recipient) per line:",
                    "{\"file\", \"recipient\", \"status\", \"replycode\", \"kind\", \"reason\"} (+ \"feedbacktype\", \"verp\"),",
                    "or {\"file\", \"kind\": \"none\"} for a file that is no bounce. Exit 1 if a file cannot be read."})
    static final class Parse implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Message files (RFC 5322, as received).")
        List<Path> files;
        @Option(names = "--verp-local-part", paramLabel = "L", defaultValue = BounceParser.DEFAULT_VERP_LOCAL_PART,
                description = "Local part of the VERP envelope sender L+TOKEN@domain (default: ${DEFAULT-VALUE}).")
        String verpLocalPart;

        @Override
        public Integer call() {
            BounceParser parser = new BounceParser(verpLocalPart);
            ObjectMapper json = new ObjectMapper();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int rc = 0;
            for (Path file : files) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException | RuntimeException e) {
                    err.println("error: cannot read " + file + ": " + e.getMessage() + " (check the path and permissions)");
                    rc = 1;
                    continue;
                }
                ParsedMail mail = parser.parse(bytes);
                try {
                    if (mail.findings().isEmpty()) {
                        ObjectNode o = json.createObjectNode().put("file", file.toString()).put("kind", "none");
                        mail.verpToken().ifPresent(t -> o.put("verp", t));
                        out.println(json.writeValueAsString(o));
                    }
                    for (Finding f : mail.findings()) {
                        ObjectNode o = json.createObjectNode()
                                .put("file", file.toString())
                                .put("recipient", f.recipient())
                                .put("status", f.status())
                                .put("replycode", f.replyCode())
                                .put("kind", f.kind().label())
                                .put("reason", f.reason().label());
                        if (!f.feedbackType().isEmpty()) {
                            o.put("feedbacktype", f.feedbackType());
                        }
                        mail.verpToken().ifPresent(t -> o.put("verp", t));
                        out.println(json.writeValueAsString(o));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            out.flush();
            return rc;
        }
    }
}
