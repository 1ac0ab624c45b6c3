package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.Problem;
import dev.signedmail.operator.Actor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who runs a command: the operator whose API token is in {@code --token-file FILE} or, failing
 * that, the environment variable {@code MAILER_TOKEN}. Never an argument, so it stays out of shell
 * history and {@code ps}.
 */
final class OperatorLogin {
    static final String ENV = "MAILER_TOKEN";

    private OperatorLogin() {
    }

    static Optional<String> token(Path tokenFile) {
        if (tokenFile != null) {
            try {
                String t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                if (t.isEmpty()) {
                    throw new Problem("--token-file " + tokenFile + " is empty: it should hold the token `operators add` printed");
                }
                return Optional.of(t);
            } catch (IOException e) {
                throw new Problem("cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        }
        String env = System.getenv(ENV);
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(env.strip());
    }

    /** The operator running this command; refuses when there is no valid token. */
    static Actor actor(MailerRuntime rt, Main main) {
        return optionalActor(rt, main).orElseThrow(() -> new Problem(
                "this command acts as an operator: put your API token in a file and pass --token-file FILE, or set "
                        + ENV + (rt.operators().anyAdmin() ? ""
                        : " (there are no operators yet: create the first admin with `mailer operators add NAME --role admin`)")));
    }

    static Optional<Actor> optionalActor(MailerRuntime rt, Main main) {
        String address = Actor.localAddress();
        return token(main.tokenFile).map(t -> Actor.of(rt.operators().authenticateToken(t, address), "cli", address));
    }
}
